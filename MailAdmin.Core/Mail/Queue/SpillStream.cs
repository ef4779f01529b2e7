namespace MailAdmin.Core.Mail.Queue;

/// <summary>
/// Where an arriving message is written: memory while it is small, a file once it passes
/// <see cref="InlineLimit"/> bytes (what was in memory goes to the file first).
/// </summary>
internal sealed class SpillStream(string path, int inlineLimit) : Stream
{
    private MemoryStream? _memory = new();
    private FileStream? _file;

    public int InlineLimit => inlineLimit;

    public bool IsInline => _file is null;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _file?.Length ?? _memory!.Length;

    public override long Position
    {
        get => Length;
        set => throw new NotSupportedException();
    }

    /// <summary>The bytes, while the message is still inline.</summary>
    public byte[] InlineBytes() => _memory?.ToArray() ?? throw new InvalidOperationException("The message was spilled to a file.");

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            if (_file is null && _memory!.Length + buffer.Length > inlineLimit)
            {
                Spill();
            }

            if (_file is not null)
            {
                _file.Write(buffer);
            }
            else
            {
                _memory!.Write(buffer);
            }
        }
        catch (IOException e) when (e is not MailStorageFullException && Storage.DurableFiles.IsDiskFull(e))
        {
            throw new MailStorageFullException("The mail queue's disk is full.", e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes a spilled message's buffered bytes and syncs its file to disk.</summary>
    public void FlushToDisk()
    {
        _file?.Flush(flushToDisk: true);
    }

    public override void Flush() => _file?.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file?.Dispose();
            _memory?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Spill()
    {
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024, FileOptions.None);
        _memory!.Position = 0;
        _memory.CopyTo(_file);
        _memory.Dispose();
        _memory = null;
    }
}
