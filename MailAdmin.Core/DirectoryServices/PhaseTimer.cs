using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Lap times of the phases of one directory operation, for a single debug log line
/// ("users 212 ms, groups 4 ms, ..."). Cheap enough to run always: a timestamp a phase.
/// </summary>
internal sealed class PhaseTimer
{
    private readonly StringBuilder _laps = new();
    private long _last = Stopwatch.GetTimestamp();

    /// <summary>Ends the current phase under <paramref name="name"/> and starts the next.</summary>
    public void Lap(string name)
    {
        var now = Stopwatch.GetTimestamp();
        if (_laps.Length > 0)
        {
            _laps.Append(", ");
        }

        _laps.Append(name).Append(' ')
            .Append(Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)).Append(" ms");
        _last = now;
    }

    public override string ToString() => _laps.ToString();
}
