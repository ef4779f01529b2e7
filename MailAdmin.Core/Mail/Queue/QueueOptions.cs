using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.Mail.Queue;

/// <summary>
/// The queue's retry schedule and safety margins (<c>Queue:*</c>). Defaults after Postfix:
/// first retry after 5 minutes, doubling up to an hour between tries, give up after 5 days,
/// warn the sender after 4 hours.
/// </summary>
public sealed class QueueOptions
{
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxRetryInterval { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromDays(5);

    /// <summary>When to tell the sender a message is delayed; null never.</summary>
    public TimeSpan? DelayWarning { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Below this much free disk the node stops accepting mail (<c>452 4.3.1</c>) rather than fail half-way.</summary>
    public long MinFreeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Messages delivered at the same time.</summary>
    public int DeliveryConcurrency { get; init; } = 16;

    /// <summary>The wait before attempt <paramref name="attempts"/> + 1, after <paramref name="attempts"/> failed ones.</summary>
    public TimeSpan RetryDelay(int attempts)
    {
        var delay = FirstRetry;
        for (var i = 1; i < attempts && delay < MaxRetryInterval; i++)
        {
            delay *= 2;
        }

        return delay < MaxRetryInterval ? delay : MaxRetryInterval;
    }

    public static QueueOptions Read(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var warning = settings.Fraction("Queue:DelayWarningHours", 4, 0, 24 * 30);
        return new QueueOptions
        {
            FirstRetry = TimeSpan.FromMinutes(settings.Fraction("Queue:FirstRetryMinutes", 5, 0.001, 24 * 60)),
            MaxRetryInterval = TimeSpan.FromMinutes(settings.Fraction("Queue:MaxRetryMinutes", 60, 0.001, 7 * 24 * 60)),
            MaxLifetime = TimeSpan.FromHours(settings.Fraction("Queue:MaxLifetimeHours", 120, 0.001, 24 * 60)),
            DelayWarning = warning == 0 ? null : TimeSpan.FromHours(warning),
            MinFreeBytes = (long)settings.Fraction("Queue:MinFreeMegabytes", 64, 0, 1024 * 1024 * 1024) * 1024 * 1024,
            DeliveryConcurrency = settings.Number("Queue:DeliveryConcurrency", 16, 1, 256),
        };
    }
}
