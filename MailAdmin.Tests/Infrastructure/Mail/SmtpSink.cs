using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailAdmin.Tests.Infrastructure.Mail;

/// <summary>A message an <see cref="SmtpSink"/> took.</summary>
public sealed record SinkMessage(string Sender, IReadOnlyList<string> Recipients, string Content);

/// <summary>
/// The "other mail server" of delivery tests: a small SMTP server on loopback that answers
/// each recipient as the test says (<see cref="RecipientReply"/>) and keeps what it took. It
/// speaks just enough SMTP for MailKit (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), one
/// command at a time; it is a test double of the Internet, not of the node.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private SmtpSink()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A sink listening on a free loopback port.</summary>
    public static SmtpSink Start() => new();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The reply to <c>RCPT TO</c> for a recipient; <c>250 2.1.5 Ok</c> by default.</summary>
    public Func<string, string> RecipientReply { get; set; } = _ => "250 2.1.5 Ok";

    public ConcurrentQueue<SinkMessage> Messages { get; } = new();

    public int Connections => _connections;

    private int _connections;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.Latin1);
        await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 sink.test ESMTP");
        string? sender = null;
        var recipients = new List<string>();
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                case "HELO":
                    await writer.WriteLineAsync("250-sink.test\r\n250 8BITMIME");
                    break;
                case "MAIL":
                    sender = Between(line);
                    recipients.Clear();
                    await writer.WriteLineAsync("250 2.1.0 Ok");
                    break;
                case "RCPT":
                    var recipient = Between(line);
                    var reply = RecipientReply(recipient);
                    if (reply.StartsWith('2'))
                    {
                        recipients.Add(recipient);
                    }

                    await writer.WriteLineAsync(reply);
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var content = new StringBuilder();
                    while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                    {
                        content.Append(data.StartsWith("..", StringComparison.Ordinal) ? data[1..] : data).Append("\r\n");
                    }

                    Messages.Enqueue(new SinkMessage(sender ?? string.Empty, recipients.ToList(), content.ToString()));
                    await writer.WriteLineAsync("250 2.0.0 Ok: queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 2.0.0 Ok");
                    break;
            }
        }
    }

    private static string Between(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', start + 1);
        return start >= 0 && end > start ? line[(start + 1)..end] : string.Empty;
    }
}
