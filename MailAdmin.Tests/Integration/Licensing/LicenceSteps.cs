using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailAdmin.Tests.Integration.Licensing;

/// <summary>What the licence tests do through the API and a mail client.</summary>
internal static class LicenceSteps
{
    public const string UserPassword = "User-Password-1";

    /// <summary>The licence as <c>GET /api/v1/node</c> shows it to every administrator.</summary>
    public static async Task<LicenceDto> NodeLicenceAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<NodeDto>("api/v1/node"))!.Licence;

    /// <summary>The licence in full, as <c>GET /api/v1/licence</c> shows it to server administrators.</summary>
    public static async Task<LicenceDetailDto> LicenceAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<LicenceDetailDto>("api/v1/licence"))!;

    public static async Task CreateLocalUserAsync(HttpClient admin, string address)
    {
        var response = await admin.PostAsJsonAsync("api/v1/users", new { address, name = address[..address.IndexOf('@', StringComparison.Ordinal)], password = UserPassword });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    public static async Task SetEnabledAsync(HttpClient admin, string address, bool enabled)
    {
        var response = await admin.PutAsJsonAsync($"api/v1/users/{address}", new { enabled });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A mail client on the node's submission port, over STARTTLS with the certificate the node made itself.</summary>
    public static async Task<SmtpClient> ConnectSubmissionAsync(TestNode node)
    {
        using var own = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(node.DataDir, "tls", "smtp.pfx"), null);
        var thumbprint = own.Thumbprint;
        var client = new SmtpClient
        {
            CheckCertificateRevocation = false,
            ServerCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint,
            Timeout = 30_000,
        };
        var port = node.Services.GetRequiredService<SmtpEndpoints>().Submission.Port;
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.StartTls).WaitAsync(TimeSpan.FromSeconds(30));
        return client;
    }

    public static MimeMessage Message(string from, string to, string subject)
    {
        var message = new MimeMessage { Subject = subject };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new TextPart("plain") { Text = "See you at nine." };
        return message;
    }
}
