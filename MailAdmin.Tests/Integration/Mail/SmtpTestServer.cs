using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Smtp;
using MailAdmin.Core.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>
/// The SMTP listeners on 127.0.0.1, ports of the system's choosing, with in-memory doubles of
/// the mail engine's contracts: a spool that keeps messages in memory, a recipient policy that
/// knows a few addresses of example.com, and an authenticator that knows alice.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    public const string Domain = "example.com";
    public const string HostName = "mx.test.example";
    public const string AliceLogin = "alice@example.com";
    public const string AlicePassword = "Alice-Secret-1";

    private static readonly Lazy<string> SharedCertificate = new(CreateSharedCertificate);

    private readonly ServiceProvider _provider;
    private readonly IHostedService _listener;

    private readonly bool _ownsDataDir;

    private SmtpTestServer(ServiceProvider provider, string dataDir, bool ownsDataDir)
    {
        _provider = provider;
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        _listener = provider.GetServices<IHostedService>().Single();
        Endpoints = provider.GetRequiredService<SmtpEndpoints>();
    }

    public string DataDir { get; }

    public SmtpEndpoints Endpoints { get; }

    public MemorySpool Spool => (MemorySpool)_provider.GetRequiredService<IMessageSpool>();

    public TestAuthenticator Authenticator => (TestAuthenticator)_provider.GetRequiredService<ISmtpAuthenticator>();

    public IPEndPoint Incoming => Endpoints.Incoming;

    public IPEndPoint Submission => Endpoints.Submission;

    /// <summary>Whether <paramref name="certificate"/> is the one every test server presents (what a client pins).</summary>
    public static bool IsTestCertificate(X509Certificate? certificate)
    {
        using var expected = X509CertificateLoader.LoadPkcs12FromFile(SharedCertificate.Value, null);
        return certificate?.GetCertHashString() == expected.Thumbprint;
    }

    /// <summary>
    /// Starts a server; <paramref name="configure"/> changes the limits, <paramref name="authRule"/>
    /// replaces the loopback exemption. A <paramref name="dataDir"/> given by the caller is the caller's to remove.
    /// </summary>
    public static async Task<SmtpTestServer> StartAsync(Func<SmtpOptions, SmtpOptions>? configure = null, SmtpAuthRule? authRule = null, string? dataDir = null, bool sharedCertificate = true)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Path.Combine(Path.GetTempPath(), $"mailadmin-smtp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDir);
        var options = new SmtpOptions
        {
            Port = 0,
            SubmissionPort = 0,
            ListenAddress = IPAddress.Loopback,
            HostName = HostName,
            CertificatePath = sharedCertificate ? SharedCertificate.Value : null,
        };
        options = configure?.Invoke(options) ?? options;

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(options);
        services.AddSingleton(new NodeOptions { Name = "node1", PublicHost = "127.0.0.1", DataDir = dataDir });
        services.AddSingleton<IMessageSpool, MemorySpool>();
        services.AddSingleton<IRecipientPolicy, TestRecipientPolicy>();
        services.AddSingleton<ISmtpAuthenticator, TestAuthenticator>();
        if (authRule is not null)
        {
            services.AddSingleton(authRule);
        }

        services.AddSmtpListeners();
        var provider = services.BuildServiceProvider();
        var server = new SmtpTestServer(provider, dataDir, ownsDataDir);
        try
        {
            await server._listener.StartAsync(CancellationToken.None).WaitAsync(Timeouts.Operation);
        }
        catch
        {
            await provider.DisposeAsync();
            if (ownsDataDir)
            {
                Directory.Delete(dataDir, recursive: true);
            }

            throw;
        }

        return server;
    }

    public Task StopAsync() => _listener.StopAsync(CancellationToken.None).WaitAsync(Timeouts.Operation);

    public async ValueTask DisposeAsync()
    {
        if (Endpoints.IsListening)
        {
            await StopAsync();
        }

        await _provider.DisposeAsync();
        if (_ownsDataDir && Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }

    /// <summary>One self-signed certificate for every test server: making an RSA key per test would be slow.</summary>
    private static string CreateSharedCertificate()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"mailadmin-smtp-cert-{Environment.ProcessId}");
        var node = new NodeOptions { Name = "node1", PublicHost = "127.0.0.1", DataDir = dir };
        using var certificate = SmtpCertificate.Load(new SmtpOptions { Port = 0, SubmissionPort = 0, HostName = HostName }, node, NullLogger.Instance);
        return Path.Combine(dir, "tls", "smtp.pfx");
    }
}

public static class Timeouts
{
    public static readonly TimeSpan Operation = TimeSpan.FromSeconds(15);
}

/// <summary>A spool that keeps committed messages in memory; <see cref="Full"/> makes it a full disk.</summary>
public sealed class MemorySpool : IMessageSpool
{
    private int _next;

    public ConcurrentQueue<StoredMessage> Messages { get; } = new();

    public bool Full { get; set; }

    public ValueTask<ISpoolWriter> CreateAsync(CancellationToken cancellationToken)
    {
        var id = $"Q{Interlocked.Increment(ref _next):D6}";
        return ValueTask.FromResult<ISpoolWriter>(new Writer(this, id));
    }

    public sealed record StoredMessage(string QueueId, Envelope Envelope, byte[] Content)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Content);

        /// <summary>The message as the client sent it: what follows the server's (folded) Received: header.</summary>
        public string Body
        {
            get
            {
                var text = Text;
                var end = text.IndexOf("\r\n", StringComparison.Ordinal);
                while (end + 2 < text.Length && text[end + 2] is ' ' or '\t')
                {
                    end = text.IndexOf("\r\n", end + 2, StringComparison.Ordinal);
                }

                return text[(end + 2)..];
            }
        }
    }

    private sealed class Writer(MemorySpool spool, string id) : ISpoolWriter
    {
        private readonly MemoryStream _content = new();

        public string QueueId => id;

        public Stream Content => _content;

        public ValueTask CommitAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            if (spool.Full)
            {
                throw new MailStorageFullException();
            }

            spool.Messages.Enqueue(new StoredMessage(id, envelope, _content.ToArray()));
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => _content.DisposeAsync();
    }
}

/// <summary>example.com's alice, bob and carol exist; other domains are relaying, allowed to signed-in users only.</summary>
public sealed class TestRecipientPolicy : IRecipientPolicy
{
    private static readonly string[] Known = ["alice", "bob", "carol", "postmaster", "user%host", "user@foreign", "müller"];

    public ValueTask<SmtpReply?> CheckAsync(MailPath recipient, SmtpClientInfo client, CancellationToken cancellationToken)
    {
        if (recipient.Domain is SmtpTestServer.Domain or "xn--bcher-kva.example" or "[127.0.0.1]" || recipient.Domain == SmtpTestServer.HostName)
        {
            return ValueTask.FromResult(Known.Any(k => recipient.LocalPart.Equals(k, StringComparison.OrdinalIgnoreCase))
                ? null
                : new SmtpReply(550, "5.1.1", $"<{recipient}>: no such mailbox here"));
        }

        return ValueTask.FromResult(client.AuthenticatedAs is null
            ? new SmtpReply(550, "5.7.1", $"<{recipient}>: relay access denied")
            : null);
    }
}

/// <summary>alice, with two addresses she may send from.</summary>
public sealed class TestAuthenticator : ISmtpAuthenticator
{
    public ConcurrentQueue<string> Attempts { get; } = new();

    public ValueTask<SmtpAuthResult> AuthenticateAsync(string userName, string password, SmtpClientInfo client, CancellationToken cancellationToken)
    {
        Attempts.Enqueue(userName);
        return ValueTask.FromResult(userName == SmtpTestServer.AliceLogin && password == SmtpTestServer.AlicePassword
            ? SmtpAuthResult.Success(SmtpTestServer.AliceLogin, [SmtpTestServer.AliceLogin, "alice.smith@example.com"])
            : userName == "moving@example.com"
                ? SmtpAuthResult.Refused(new SmtpReply(454, "4.7.0", "Your mailbox is being moved; try again in a few minutes"))
                : SmtpAuthResult.WrongCredentials);
    }
}
