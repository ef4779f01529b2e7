using MailAdmin.Web.Components.Common;
using Microsoft.Extensions.Time.Testing;

namespace MailAdmin.Tests.Unit.Console;

/// <summary>Live migration progress renders at most 4 times a second, and its last change is always shown.</summary>
public sealed class RenderThrottleTests
{
    private readonly FakeTimeProvider _clock = new();
    private int _renders;

    [Fact]
    public void Request_AfterAQuietSpell_RendersAtOnce()
    {
        using var throttle = Throttle();

        throttle.Request();

        Assert.Equal(1, _renders);
    }

    [Fact]
    public void Request_ManyWithinTheInterval_RenderOnceMoreAtItsEnd()
    {
        using var throttle = Throttle();
        throttle.Request();

        for (var i = 0; i < 20; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            throttle.Request();
        }

        Assert.Equal(1, _renders);
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(2, _renders);
    }

    [Fact]
    public void Request_AStreamOfChangesForASecond_RendersAtMostFourTimesAndAgainAtTheEnd()
    {
        using var throttle = Throttle();

        for (var i = 0; i < 100; i++)
        {
            throttle.Request();
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.InRange(_renders, 4, 5);
        var before = _renders;
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.InRange(_renders, before, before + 1);
    }

    [Fact]
    public void Dispose_WithARenderPending_RendersNoMore()
    {
        var throttle = Throttle();
        throttle.Request();
        throttle.Request();

        throttle.Dispose();
        _clock.Advance(TimeSpan.FromSeconds(1));
        throttle.Request();

        Assert.Equal(1, _renders);
    }

    private RenderThrottle Throttle() => new(_clock, () =>
    {
        _renders++;
        return Task.CompletedTask;
    });
}
