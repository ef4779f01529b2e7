using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace MailAdmin.Tests.Integration.Mail;

/// <summary>A bare TCP client for what a real SMTP client never sends: exact bytes, pipelined groups, malformed lines.</summary>
public sealed class RawSmtpClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _buffered = [];

    private RawSmtpClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawSmtpClient> ConnectAsync(IPEndPoint endpoint, bool readGreeting = true)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        await tcp.ConnectAsync(endpoint).WaitAsync(Timeouts.Operation);
        var client = new RawSmtpClient(tcp);
        if (readGreeting)
        {
            var greeting = await client.ReadReplyAsync();
            Assert.StartsWith("220 ", greeting, StringComparison.Ordinal);
        }

        return client;
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes).AsTask().WaitAsync(Timeouts.Operation);
        await _stream.FlushAsync().WaitAsync(Timeouts.Operation);
    }

    /// <summary>Sends a command and returns its reply (all lines of a multi-line one, joined by LF).</summary>
    public async Task<string> CommandAsync(string command)
    {
        await SendAsync(command + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>Says EHLO and returns the keyword lines.</summary>
    public async Task<string> HelloAsync() => await CommandAsync("EHLO client.test");

    /// <summary>One reply; a multi-line reply's lines are joined by LF. Fails when the server closes first.</summary>
    public async Task<string> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync() ?? throw new InvalidOperationException($"The server closed the connection; reply so far: {string.Join('\n', lines)}");
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return string.Join('\n', lines);
            }
        }
    }

    /// <summary>True when the server has closed the connection (after any replies still unread are skipped).</summary>
    public async Task<bool> IsClosedAsync()
    {
        while (await ReadLineAsync() is not null)
        {
        }

        return true;
    }

    /// <summary>Starts TLS as STARTTLS's client side, trusting the test certificate.</summary>
    public async Task StartTlsAsync()
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, (_, certificate, _, _) => SmtpTestServer.IsTestCertificate(certificate));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = SmtpTestServer.HostName }).WaitAsync(Timeouts.Operation);
        _stream = tls;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<string?> ReadLineAsync()
    {
        var chunk = new byte[4096];
        while (true)
        {
            var newline = _buffered.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString([.. _buffered.Take(newline)]).TrimEnd('\r');
                _buffered.RemoveRange(0, newline + 1);
                return line;
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(chunk).AsTask().WaitAsync(Timeouts.Operation);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _buffered.AddRange(chunk.AsSpan(0, read));
        }
    }
}
