using System.Buffers;
using System.Text;
using MailAdmin.Core.Mail.Smtp;

namespace MailAdmin.Tests.Unit.Mail;

public sealed class MessageDataDecoderTests
{
    [Theory]
    [InlineData("Subject: x\r\n\r\nbody\r\n.\r\n", "Subject: x\r\n\r\nbody\r\n")]
    [InlineData(".\r\n", "")]
    [InlineData("..\r\n.\r\n", ".\r\n")]
    [InlineData("..a\r\n.b\r\nc.\r\n. \r\n.\r\n", ".a\r\nb\r\nc.\r\n \r\n")]
    [InlineData("\r\n\r\n.\r\n", "\r\n\r\n")]
    public void Decode_WholeInput_UnstuffsAndEndsAtTheDot(string input, string expected)
    {
        var (decoder, output, consumed) = DecodeInPieces(input, pieceSize: int.MaxValue);

        Assert.True(decoder.Completed);
        Assert.Equal(expected, output);
        Assert.Equal(Encoding.UTF8.GetByteCount(input), consumed);
        Assert.False(decoder.BareLineEnding || decoder.TooBig || decoder.LineTooLong);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Decode_SplitAnywhere_SameResult(int pieceSize)
    {
        var (decoder, output, _) = DecodeInPieces("a\r\n..b\r\n.\r\nNEXT COMMAND\r\n", pieceSize);

        Assert.True(decoder.Completed);
        Assert.Equal("a\r\n.b\r\n", output);
    }

    [Fact]
    public void Decode_EndFound_LeavesTheNextCommandUnread()
    {
        var decoder = new MessageDataDecoder(1000, 1000);
        var input = "x\r\n.\r\nQUIT\r\n"u8;

        var used = decoder.Decode(input, new ArrayBufferWriter<byte>());

        Assert.Equal(6, used);
        Assert.True(decoder.Completed);
    }

    [Theory]
    [InlineData("a\n.\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r.\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\n.\r\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n.\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n.\r.\r\n")]
    [InlineData("a\rb\r\n")]
    [InlineData("a\nb\r\n")]
    public void Decode_BareCrOrLf_NeverEndsTheData(string input)
    {
        foreach (var piece in new[] { 1, int.MaxValue })
        {
            var (decoder, _, consumed) = DecodeInPieces(input, piece);

            Assert.False(decoder.Completed);
            Assert.True(decoder.BareLineEnding);
            Assert.Equal(Encoding.UTF8.GetByteCount(input), consumed);
        }
    }

    [Fact]
    public void Decode_BareLfThenRealEnd_CompletesFlagged()
    {
        var (decoder, _, _) = DecodeInPieces("a\n.\nsmuggled\r\n.\r\n", int.MaxValue);

        Assert.True(decoder.Completed);
        Assert.True(decoder.BareLineEnding);
        Assert.True(decoder.Discarding);
    }

    [Fact]
    public void Decode_OverMaxSize_KeepsReadingToTheEnd()
    {
        var body = string.Concat(Enumerable.Repeat("0123456789\r\n", 100));
        var (decoder, output, _) = DecodeInPieces(body + ".\r\n", 64, maxSize: 500);

        Assert.True(decoder.Completed);
        Assert.True(decoder.TooBig);
        Assert.Equal(body.Length, decoder.Size);
        Assert.True(output.Length <= 500);
    }

    [Theory]
    [InlineData(998, false)]
    [InlineData(999, true)]
    public void Decode_LineLength_CountsTheCrLf(int characters, bool tooLong)
    {
        var (decoder, _, _) = DecodeInPieces(new string('x', characters) + "\r\n.\r\n", 100);

        Assert.True(decoder.Completed);
        Assert.Equal(tooLong, decoder.LineTooLong);
    }

    private static (MessageDataDecoder Decoder, string Output, int Consumed) DecodeInPieces(string input, int pieceSize, long maxSize = 1_000_000)
    {
        var decoder = new MessageDataDecoder(maxSize, 1000);
        var output = new ArrayBufferWriter<byte>();
        var bytes = Encoding.UTF8.GetBytes(input);
        var consumed = 0;
        while (consumed < bytes.Length && !decoder.Completed)
        {
            var piece = bytes.AsSpan(consumed, Math.Min(pieceSize, bytes.Length - consumed));
            var used = decoder.Decode(piece, output);
            consumed += used;
            if (used < piece.Length)
            {
                break;
            }
        }

        return (decoder, Encoding.UTF8.GetString(output.WrittenSpan), consumed);
    }
}
