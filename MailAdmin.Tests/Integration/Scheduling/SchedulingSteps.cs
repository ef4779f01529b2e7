using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Tests.Infrastructure;
using MailAdmin.Tests.Infrastructure.Mail;
using MailAdmin.Tests.Integration.Administration;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailAdmin.Tests.Integration.Scheduling;

/// <summary>
/// The scheduling tests share one two-office cluster (hq and ny, with slapd): starting and
/// joining it costs more than the tests themselves. Each test uses meetings of its own UIDs, and
/// resources of their own addresses, so they do not see each other's data.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TwoOfficesCollection : ICollectionFixture<TwoOfficesFixture>
{
    public const string Name = "Scheduling across two offices";
}

/// <summary>What the scheduling tests do as users and their mail clients do.</summary>
public static class SchedulingSteps
{
    public static AuthenticationHeaderValue Basic(string user, string password = CompanyDirectory.UserPassword) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>Sends as a user's mail client does: the submission port of their home server, STARTTLS, signed in.</summary>
    public static async Task SubmitAsync(TestNode node, string user, MimeMessage message)
    {
        var endpoints = node.Services.GetRequiredService<SmtpEndpoints>();
        using var client = Client(endpoints);
        await client.ConnectAsync("127.0.0.1", endpoints.Submission.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(user, CompanyDirectory.UserPassword);
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }

    /// <summary>Sends as another mail server on the Internet does: the incoming port, no sign-in.</summary>
    public static async Task SendIncomingAsync(TestNode node, string sender, string recipient, MimeMessage message)
    {
        var endpoints = node.Services.GetRequiredService<SmtpEndpoints>();
        using var client = Client(endpoints);
        await client.ConnectAsync("127.0.0.1", endpoints.Incoming.Port, SecureSocketOptions.StartTlsWhenAvailable);
        await client.SendAsync(message, MailboxAddress.Parse(sender), [MailboxAddress.Parse(recipient)]);
        await client.DisconnectAsync(quit: true);
    }

    public static SmtpClient Client(SmtpEndpoints endpoints)
    {
        var expected = endpoints.CertificateThumbprint;
        return new SmtpClient
        {
            ServerCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && CertificateThumbprints.Sha256(certificate) == expected,
            Timeout = 15_000,
        };
    }

    public static DateTimeOffset NextMonday()
    {
        var day = DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(7);
        while (day.DayOfWeek != DayOfWeek.Monday)
        {
            day = day.AddDays(1);
        }

        return new DateTimeOffset(day, TimeSpan.Zero);
    }

    /// <summary><c>GET /freebusy/{address}</c> on a node, as a calendar client asks it.</summary>
    public static async Task<HttpResponseMessage> ReadFreeBusyAsync(TestNode node, string address, string? query, AuthenticationHeaderValue? authorization)
    {
        using var client = node.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"freebusy/{address}{(query is null ? string.Empty : "?" + query)}");
        request.Headers.Authorization = authorization;
        return await client.SendAsync(request);
    }

    /// <summary>The FREEBUSY lines of a node's answer as "TYPE start/end"; the answer must be 200.</summary>
    public static async Task<List<string>> FreeBusyLinesAsync(TestNode node, string address, string query, AuthenticationHeaderValue authorization)
    {
        var response = await ReadFreeBusyAsync(node, address, query, authorization);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{node.Name} answered {(int)response.StatusCode}: {text}");
        return [.. text.Replace("\r\n ", string.Empty, StringComparison.Ordinal)
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("FREEBUSY;FBTYPE=", StringComparison.Ordinal))
            .Select(l => l["FREEBUSY;FBTYPE=".Length..].Replace(':', ' '))];
    }
}
