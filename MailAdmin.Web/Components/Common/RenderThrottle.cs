namespace MailAdmin.Web.Components.Common;

/// <summary>
/// Coalesces change notifications into at most one render per interval. The first request after a
/// quiet spell renders at once; requests within the interval after it wait for the interval's end
/// and render once, so the last change is always shown. Live migration progress arrives up to four
/// times a second per job: with several jobs a page would otherwise render at their sum.
/// </summary>
internal sealed class RenderThrottle : IDisposable
{
    /// <summary>Four renders a second: smooth enough for a progress bar, cheap over a circuit.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly Func<Task> _render;
    private ITimer? _timer;
    private long _lastRender;
    private bool _rendered;
    private bool _scheduled;
    private bool _disposed;

    /// <param name="render">Renders on the component's dispatcher, such as <c>() => InvokeAsync(StateHasChanged)</c>.</param>
    public RenderThrottle(TimeProvider clock, Func<Task> render, TimeSpan? interval = null)
    {
        _clock = clock;
        _render = render;
        _interval = interval ?? DefaultInterval;
    }

    /// <summary>Asks for a render; safe from any thread.</summary>
    public void Request()
    {
        lock (_lock)
        {
            if (_disposed || _scheduled)
            {
                return;
            }

            var wait = _rendered ? _interval - _clock.GetElapsedTime(_lastRender) : TimeSpan.Zero;
            if (wait > TimeSpan.Zero)
            {
                _scheduled = true;
                _timer ??= _clock.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(wait, Timeout.InfiniteTimeSpan);
                return;
            }

            MarkRendered();
        }

        Render();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    private void Fire()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _scheduled = false;
            MarkRendered();
        }

        Render();
    }

    private void MarkRendered()
    {
        _lastRender = _clock.GetTimestamp();
        _rendered = true;
    }

    // Called from event handlers and timers, which cannot await: the renderer reports what a render throws.
    private void Render() => _ = _render();
}
