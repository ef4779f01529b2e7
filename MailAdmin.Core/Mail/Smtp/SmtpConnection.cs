using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>Why a read gave no more input.</summary>
internal enum InputEnd
{
    None,
    Closed,
    IdleTimeout,
    ShuttingDown,
}

internal enum LineStatus
{
    Line,
    TooLong,
    BareLineEnd,
    NotUtf8,
    Ended,
}

internal readonly record struct LineResult(LineStatus Status, string Text, InputEnd End = InputEnd.None);

/// <summary>
/// One client's byte stream, as pipes: plain TCP, then TLS after STARTTLS.
/// <para>
/// Replies are written without flushing; output is flushed only when the session needs more
/// input than is buffered. A pipelined group of commands (RFC 2920) is therefore answered with
/// one write, and a lone command is answered at once. The idle timer runs while the session
/// waits for the client (to read or to take our replies), never while it works on a command.
/// Reads take no token: the idle timer and the node's stopping token end a pending read
/// (<see cref="PipeReader.CancelPendingRead"/>) so the session can still say why before it
/// closes.
/// </para>
/// </summary>
internal sealed class SmtpConnection : IAsyncDisposable
{
    /// <summary>RFC 4954 §4: an AUTH command or response line may be up to 12,288 octets.</summary>
    public const int AuthLineLimit = 12_288;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenSource _idle;
    private readonly CancellationTokenSource _writeTimer;
    private readonly CancellationTokenRegistration _idleRegistration;
    private readonly CancellationTokenRegistration _stoppingRegistration;
    private SslStream? _tls;
    private PipeReader _input;
    private PipeWriter _output;

    public SmtpConnection(Socket socket, TimeSpan idleTimeout, TimeProvider time, CancellationToken stopping)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _idleTimeout = idleTimeout;
        _stopping = stopping;
        _idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _writeTimer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        (_input, _output) = CreatePipes(_network);
        _idleRegistration = _idle.Token.Register(CancelRead);
        _stoppingRegistration = stopping.Register(CancelRead);
    }

    public bool IsSecure => _tls is not null;

    public SslStream? Tls => _tls;

    public void Write(SmtpReply reply) =>
        WriteLine(reply.Enhanced.Length == 0 ? $"{reply.Code} {reply.Text}" : $"{reply.Code} {reply.Enhanced} {reply.Text}");

    /// <summary>A multi-line reply (RFC 5321 §4.2.1): every line but the last has a hyphen after the code.</summary>
    public void WriteMultiline(int code, IReadOnlyList<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            WriteLine($"{code}{(i < lines.Count - 1 ? '-' : ' ')}{lines[i]}");
        }
    }

    public void WriteLine(string line)
    {
        var length = Encoding.UTF8.GetByteCount(line);
        var span = _output.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(line, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        _output.Advance(length + 2);
    }

    public async ValueTask FlushAsync()
    {
        if (_output.UnflushedBytes == 0)
        {
            return;
        }

        // A client that does not take its replies is as idle as one that sends nothing.
        _writeTimer.CancelAfter(_idleTimeout);
        await _output.FlushAsync(_writeTimer.Token);
        _writeTimer.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// The next line, without its CR LF. A command line is limited to <paramref name="maxLength"/>
    /// octets with its CR LF (AUTH lines to <see cref="AuthLineLimit"/>); a longer one is read to
    /// its end and thrown away. A line must end in CR LF and hold no other CR: anything else is
    /// refused rather than guessed at.
    /// </summary>
    public async ValueTask<LineResult> ReadLineAsync(int maxLength)
    {
        var blocking = false;
        var discarding = false;
        while (true)
        {
            if (blocking || !_input.TryRead(out var result))
            {
                result = await ReadBlockingAsync();
            }

            var buffer = result.Buffer;
            if (result.IsCanceled)
            {
                _input.AdvanceTo(buffer.Start);
                return new LineResult(LineStatus.Ended, string.Empty, CancelReason());
            }

            var limit = IsAuthLine(buffer) ? Math.Max(maxLength, AuthLineLimit) : maxLength;
            if (buffer.PositionOf((byte)'\n') is { } newline)
            {
                var end = buffer.GetPosition(1, newline);
                var line = buffer.Slice(0, end);
                var status = discarding || line.Length > limit ? new LineResult(LineStatus.TooLong, string.Empty) : Decode(line);
                _input.AdvanceTo(end);
                return status;
            }

            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.End);
                return new LineResult(LineStatus.Ended, string.Empty, InputEnd.Closed);
            }

            if (buffer.Length >= limit)
            {
                discarding = true;
                _input.AdvanceTo(buffer.End);
            }
            else
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
            }

            blocking = true;
        }
    }

    /// <summary>
    /// Reads message data through <paramref name="decoder"/> to its terminating dot, writing the
    /// message to <paramref name="content"/>. A failure to write (a full disk) does not stop the
    /// reading: the client must still be answered after its dot.
    /// </summary>
    public async ValueTask<(InputEnd End, Exception? WriteFailure)> ReadDataAsync(MessageDataDecoder decoder, Stream content, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>(16 * 1024);
        Exception? failure = null;
        var blocking = false;
        while (true)
        {
            if (blocking || !_input.TryRead(out var result))
            {
                result = await ReadBlockingAsync();
            }

            var buffer = result.Buffer;
            if (result.IsCanceled)
            {
                _input.AdvanceTo(buffer.Start);
                return (CancelReason(), failure);
            }

            long consumed = 0;
            foreach (var segment in buffer)
            {
                consumed += decoder.Decode(segment.Span, output);
                if (decoder.Completed)
                {
                    break;
                }
            }

            _input.AdvanceTo(buffer.GetPosition(consumed));
            if (output.WrittenCount > 0 && !decoder.Discarding)
            {
                try
                {
                    await content.WriteAsync(output.WrittenMemory, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failure = e;
                    decoder.Discard();
                }
            }

            output.ResetWrittenCount();
            if (decoder.Completed)
            {
                return (InputEnd.None, failure);
            }

            if (result.IsCompleted)
            {
                return (InputEnd.Closed, failure);
            }

            blocking = true;
        }
    }

    /// <summary>
    /// Switches to TLS after the <c>220</c> to STARTTLS. Whatever the client sent after
    /// STARTTLS in clear is dropped unread: it could have been injected by a man in the middle
    /// and must not be taken as coming over the secured channel (CVE-2011-0411 and kin).
    /// </summary>
    public async ValueTask StartTlsAsync(SslServerAuthenticationOptions options)
    {
        await FlushAsync();
        await _input.CompleteAsync();
        await _output.CompleteAsync();
        var tls = new SslStream(_network, leaveInnerStreamOpen: true);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_idle.Token, _stopping);
        _idle.CancelAfter(_idleTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(options, handshake.Token);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }

        _idle.CancelAfter(Timeout.InfiniteTimeSpan);
        _tls = tls;
        (_input, _output) = CreatePipes(tls);
    }

    /// <summary>Flushes the last replies and closes, leaving the client time to read them.</summary>
    public async ValueTask CloseAsync()
    {
        try
        {
            await FlushAsync();
            _socket.Shutdown(SocketShutdown.Send);

            // Unread input would make the close a reset, which can destroy our last reply
            // before the client reads it; drain a little first.
            using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var drained = 0L;
            while (drained < 1024 * 1024)
            {
                var result = await _input.ReadAsync(linger.Token);
                drained += result.Buffer.Length;
                _input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client has gone already: nothing left to tell it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _idleRegistration.DisposeAsync();
        await _stoppingRegistration.DisposeAsync();
        await _input.CompleteAsync();
        try
        {
            await _output.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Unsent output to a client that has gone.
        }

        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        await _network.DisposeAsync();
        _idle.Dispose();
        _writeTimer.Dispose();
    }

    private static (PipeReader Input, PipeWriter Output) CreatePipes(Stream stream) =>
        (PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)),
         PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));

    private static bool IsAuthLine(ReadOnlySequence<byte> buffer)
    {
        Span<byte> start = stackalloc byte[5];
        if (buffer.Length < start.Length)
        {
            return false;
        }

        buffer.Slice(0, start.Length).CopyTo(start);
        return Ascii.EqualsIgnoreCase(start, "AUTH "u8);
    }

    private static LineResult Decode(ReadOnlySequence<byte> line)
    {
        // line ends with LF; it must be CR LF, and no other CR may appear.
        if (line.Length < 2)
        {
            return new LineResult(LineStatus.BareLineEnd, string.Empty);
        }

        var text = line.Slice(0, line.Length - 2);
        var cr = line.Slice(line.Length - 2, 1).FirstSpan[0];
        if (cr != (byte)'\r' || text.PositionOf((byte)'\r') is not null)
        {
            return new LineResult(LineStatus.BareLineEnd, string.Empty);
        }

        try
        {
            return new LineResult(LineStatus.Line, StrictUtf8.GetString(text));
        }
        catch (DecoderFallbackException)
        {
            return new LineResult(LineStatus.NotUtf8, string.Empty);
        }
    }

    private async ValueTask<ReadResult> ReadBlockingAsync()
    {
        await FlushAsync();
        _idle.CancelAfter(_idleTimeout);
        var result = await _input.ReadAsync();
        _idle.CancelAfter(Timeout.InfiniteTimeSpan);
        return result;
    }

    private InputEnd CancelReason() => _stopping.IsCancellationRequested ? InputEnd.ShuttingDown : InputEnd.IdleTimeout;

    private void CancelRead()
    {
        try
        {
            _input.CancelPendingRead();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // The reader is being replaced (STARTTLS) or closed; there is no read to cancel.
        }
    }
}
