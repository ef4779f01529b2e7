// SMTP load generator for bench/smtp-throughput.sh. Each session is a raw SMTP client on
// its own connection: it pipelines MAIL, RCPT and DATA (RFC 2920), sends the message and
// times the wait from the final "." to the server's 250 — the moment the server made the
// message durable. Usage: SmtpLoad <host> <port> <sessions> <messages> <bytes> <recipient>
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

var host = args.Length > 0 ? args[0] : "127.0.0.1";
var port = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2525;
var sessions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
var total = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20000;
var size = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 5 * 1024;
var recipient = args.Length > 5 ? args[5] : "ann@company.com";

var body = BuildMessage(size, recipient);
var latencies = new double[total];
var next = -1;
var failures = 0;
var clock = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => Task.Run(SessionAsync)));
var elapsed = clock.Elapsed.TotalSeconds;

var done = latencies.Where(l => l > 0).Order().ToArray();
string Percentile(double p) => done.Length == 0 ? "-" : done[Math.Min(done.Length - 1, (int)Math.Ceiling(p * done.Length) - 1)].ToString("0.0", CultureInfo.InvariantCulture);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"messages accepted:      {done.Length} of {total} ({failures} refused or failed), {sessions} sessions, {size} bytes each"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput:             {done.Length / elapsed:0} msg/s over {elapsed:0.00} s"));
Console.WriteLine($"dot-to-250 ms:          p50 {Percentile(0.50)}  p90 {Percentile(0.90)}  p99 {Percentile(0.99)}  max {Percentile(1.0)}");
return failures == 0 ? 0 : 1;

async Task SessionAsync()
{
    using var client = new TcpClient { NoDelay = true };
    await client.ConnectAsync(host, port);
    var stream = client.GetStream();
    var reader = new StreamReader(stream, Encoding.ASCII);
    await ExpectAsync(reader, "220");
    await WriteAsync(stream, "EHLO load.test\r\n");
    await ExpectAsync(reader, "250");
    var transaction = Encoding.ASCII.GetBytes($"MAIL FROM:<load@example.org> SIZE={body.Length}\r\nRCPT TO:<{recipient}>\r\nDATA\r\n");
    for (var id = Interlocked.Increment(ref next); id < total; id = Interlocked.Increment(ref next))
    {
        await stream.WriteAsync(transaction);
        var mail = await ReplyAsync(reader);
        var rcpt = await ReplyAsync(reader);
        var data = await ReplyAsync(reader);
        if (!mail.StartsWith('2') || !rcpt.StartsWith('2') || !data.StartsWith("354", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine($"refused: {mail} | {rcpt} | {data}");
            await WriteAsync(stream, "RSET\r\n");
            await ReplyAsync(reader);
            continue;
        }

        await stream.WriteAsync(body);
        var dot = Stopwatch.GetTimestamp();
        var reply = await ReplyAsync(reader);
        if (reply.StartsWith("250", StringComparison.Ordinal))
        {
            latencies[id] = Stopwatch.GetElapsedTime(dot).TotalMilliseconds;
        }
        else
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine($"refused after DATA: {reply}");
        }
    }

    await WriteAsync(stream, "QUIT\r\n");
}

static async Task WriteAsync(NetworkStream stream, string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text));

static async Task<string> ReplyAsync(StreamReader reader)
{
    string? line;
    do
    {
        line = await reader.ReadLineAsync() ?? throw new IOException("The server closed the connection.");
    }
    while (line.Length > 3 && line[3] == '-');
    return line;
}

static async Task ExpectAsync(StreamReader reader, string code)
{
    var reply = await ReplyAsync(reader);
    if (!reply.StartsWith(code, StringComparison.Ordinal))
    {
        throw new IOException($"Expected {code}, got: {reply}");
    }
}

static byte[] BuildMessage(int size, string recipient)
{
    var text = new StringBuilder();
    text.Append(CultureInfo.InvariantCulture, $"From: <load@example.org>\r\nTo: <{recipient}>\r\nSubject: load\r\nMessage-ID: <{Guid.NewGuid():N}@load.test>\r\n\r\n");
    while (text.Length < size - 80)
    {
        text.Append("The quick brown fox jumps over the lazy dog, again and again and again.\r\n");
    }

    text.Append(".\r\n"); // End of DATA.
    return Encoding.ASCII.GetBytes(text.ToString());
}
