using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Integration.Administration;
using static MailAdmin.Tests.Integration.AddressBook.DavAnswer;

namespace MailAdmin.Tests.Integration.AddressBook;

/// <summary>The Global Address List is replicated: every server of the distributed domain serves the same cards.</summary>
public sealed class CardDavAcrossServersTests(TwoOfficesFixture cluster) : IClassFixture<TwoOfficesFixture>
{
    private const string Book = "/dav/addressbooks/company.com/";

    [Fact]
    public async Task HqAndNy_ServeTheSameCards_WithTheSameETags_AndTheSameCTag()
    {
        // Bob's home server is ny; he reads the list from either.
        using var viaHq = DavTestClient.Basic(cluster.Hq, "bob.smith@company.com", CompanyDirectory.UserPassword);
        using var viaNy = DavTestClient.Basic(cluster.Ny, "bob.smith@company.com", CompanyDirectory.UserPassword);

        var hq = await ListingAsync(viaHq);
        var ny = await ListingAsync(viaNy);

        Assert.Contains(hq, line => line.StartsWith(Book + "alice.novak@company.com.vcf ", StringComparison.Ordinal));
        Assert.Contains(hq, line => line.StartsWith(Book + "bob.smith@company.com.vcf ", StringComparison.Ordinal));
        Assert.Equal(hq, ny);
    }

    /// <summary>"href etag" per card and "href ctag" for the book, in order.</summary>
    private static async Task<List<string>> ListingAsync(DavTestClient client)
    {
        var answer = await client.PropfindAsync(Book, "1",
            """<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><D:getetag/><CS:getctag/></D:prop></D:propfind>""");
        Assert.True(answer.Status == System.Net.HttpStatusCode.MultiStatus, answer.Body);
        return [.. answer.Responses
            .Select(r => $"{r.Element(D + "href")!.Value} {(Found(r, D + "getetag") ?? Found(r, CS + "getctag"))!.Value}")
            .Order(StringComparer.Ordinal)];
    }
}
