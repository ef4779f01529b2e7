using System.Buffers;

namespace MailAdmin.Core.Mail.Smtp;

/// <summary>
/// Turns the bytes that follow <c>354</c> into the message, one buffer at a time, without
/// holding a line in memory.
/// <para>
/// A line ends only at CR LF (RFC 5321 §2.3.8), so the end of the data is only
/// CR LF "." CR LF. A CR or LF on its own is kept as an ordinary byte of the line and
/// flagged: the session refuses such a message, since servers that took a bare LF as a line
/// end could be made to read the rest of it as commands (SMTP smuggling). A line that starts
/// with a dot loses that dot (dot-stuffing, RFC 5321 §4.5.2). Once the message is known to be
/// refused (too big, a line too long, a bare CR or LF) the rest is only scanned for the end.
/// </para>
/// </summary>
internal sealed class MessageDataDecoder(long maxMessageSize, int maxTextLine)
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const byte Dot = (byte)'.';

    private State _state = State.LineStart;

    // Octets of the current line as sent, CR LF and any stuffing dot included.
    private long _lineLength;

    private enum State
    {
        LineStart,
        DotAtLineStart,
        DotCr,
        InLine,
        InLineCr,
    }

    /// <summary>Message octets kept, after dot-stuffing is removed (the SIZE of RFC 1870).</summary>
    public long Size { get; private set; }

    public bool TooBig { get; private set; }

    public bool LineTooLong { get; private set; }

    /// <summary>A CR not followed by LF, or an LF not preceded by CR, was seen.</summary>
    public bool BareLineEnding { get; private set; }

    /// <summary>The terminating CR LF "." CR LF has been read.</summary>
    public bool Completed { get; private set; }

    /// <summary>Nothing more is written out: the message is refused or could not be stored.</summary>
    public bool Discarding { get; private set; }

    /// <summary>Stops writing the message out, for example when the spool failed; the end is still looked for.</summary>
    public void Discard() => Discarding = true;

    /// <summary>
    /// Reads <paramref name="input"/> up to the end of the data, writing the message's octets to
    /// <paramref name="output"/>; returns how many input octets were used (all of them unless the
    /// end was found, after which the client's next command follows).
    /// </summary>
    public int Decode(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var i = 0;
        while (i < input.Length && !Completed)
        {
            if (_state == State.InLine)
            {
                // The bulk of a message: copy up to the next CR or LF in one go.
                var run = input[i..].IndexOfAny(Cr, Lf);
                var length = run < 0 ? input.Length - i : run;
                Emit(input.Slice(i, length), output);
                _lineLength += length;
                i += length;
                if (run < 0)
                {
                    break;
                }
            }

            var b = input[i++];
            _lineLength++;
            switch (_state)
            {
                case State.LineStart:
                    _state = b == Dot ? State.DotAtLineStart : State.InLine;
                    if (b != Dot)
                    {
                        InLineByte(b, output);
                    }

                    break;
                case State.DotAtLineStart:
                    if (b == Cr)
                    {
                        _state = State.DotCr;
                    }
                    else
                    {
                        // ".x" is "x": the stuffed dot goes, the rest of the line stays.
                        _state = State.InLine;
                        InLineByte(b, output);
                    }

                    break;
                case State.DotCr:
                    if (b == Lf)
                    {
                        Completed = true;
                    }
                    else
                    {
                        // "." CR x: a bare CR, never an end.
                        BareLineEnding = true;
                        Discarding = true;
                        _state = State.InLine;
                        InLineByte(b, output);
                    }

                    break;
                case State.InLine:
                    InLineByte(b, output);
                    break;
                case State.InLineCr:
                    if (b == Lf)
                    {
                        Emit("\r\n"u8, output);
                        CheckLineLength();
                        _lineLength = 0;
                        _state = State.LineStart;
                    }
                    else
                    {
                        BareLineEnding = true;
                        Discarding = true;
                        _state = State.InLine;
                        InLineByte(b, output);
                    }

                    break;
            }
        }

        return i;
    }

    private void InLineByte(byte b, IBufferWriter<byte> output)
    {
        switch (b)
        {
            case Cr:
                _state = State.InLineCr;
                break;
            case Lf:
                BareLineEnding = true;
                Discarding = true;
                break;
            default:
                Emit([b], output);
                break;
        }

        CheckLineLength();
    }

    private void CheckLineLength()
    {
        if (_lineLength > maxTextLine)
        {
            LineTooLong = true;
            Discarding = true;
        }
    }

    private void Emit(ReadOnlySpan<byte> octets, IBufferWriter<byte> output)
    {
        Size += octets.Length;
        if (Size > maxMessageSize)
        {
            TooBig = true;
            Discarding = true;
        }

        if (!Discarding)
        {
            output.Write(octets);
        }
    }
}
