using System.Globalization;
using MailAdmin.Core.Licensing;
using MudBlazor;

namespace MailAdmin.Web.Components.Common;

/// <summary>How the console words and colours the licence, in the app bar, on the Dashboard and on the Licence page.</summary>
public static class LicenceText
{
    /// <summary>The app bar's figure: "45 / 50", or "12 users · unlimited".</summary>
    public static string Figure(LicenceUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return usage.Seats is { } seats
            ? Invariant($"{usage.Used:N0} / {seats:N0}")
            : $"{Users(usage.Used)} · unlimited";
    }

    /// <summary>The Dashboard's line: "12 of 50 users", or "12 users, no limit".</summary>
    public static string Summary(LicenceUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return usage.Seats is { } seats
            ? Invariant($"{usage.Used:N0} of {seats:N0} users") + (usage.State == LicenceState.Over ? $" ({Cannot(usage.Used - seats)})" : string.Empty)
            : $"{Users(usage.Used)}, no limit";
    }

    /// <summary>What the figure means, for the app bar's tooltip.</summary>
    public static string Explain(LicenceUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return (usage.Seats, usage.State) switch
        {
            (null, _) => $"{Users(usage.Used)} on this server; its licence does not limit them.",
            ({ } seats, LicenceState.Over) => $"Over the licence: {Cannot(usage.Used - seats)}" + Invariant($" ({usage.Used:N0} users, {seats:N0} licensed)."),
            ({ } seats, LicenceState.Full) => Invariant($"All {seats:N0} licensed users are taken: a user added now cannot sign in, and no mailbox can be migrated here."),
            ({ } seats, _) => Invariant($"{usage.Used:N0} of {seats:N0} licensed users on this server; {usage.Free:N0} free."),
        };
    }

    /// <summary>Neutral while there is room, the warning colour from 90 %, the error colour when full or over.</summary>
    public static Color Colour(LicenceState state, Color neutral = Color.Default) => state switch
    {
        LicenceState.Warning => Color.Warning,
        LicenceState.Full or LicenceState.Over => Color.Error,
        _ => neutral,
    };

    public static Severity Severity(LicenceState state) => state switch
    {
        LicenceState.Warning => MudBlazor.Severity.Warning,
        LicenceState.Full or LicenceState.Over => MudBlazor.Severity.Error,
        _ => MudBlazor.Severity.Info,
    };

    /// <summary>0 to 100 for a progress bar; an unlimited licence is never full.</summary>
    public static double Percent(LicenceUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return usage.Seats switch
        {
            null => 0,
            0 => usage.Used > 0 ? 100 : 0,
            var seats => Math.Clamp(100.0 * usage.Used / seats.Value, 0, 100),
        };
    }

    /// <summary>Where the seats come from, in words an administrator can act on.</summary>
    public static string Source(LicenceUsage usage, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return usage.Source switch
        {
            LicenceSource.File => $"The licence file {FilePath(dataDir)}",
            LicenceSource.Setting => "The Licence:Seats setting",
            _ => "None: there is no licence file and no Licence:Seats setting",
        };
    }

    public static string FilePath(string dataDir) => Path.Combine(dataDir, LicenceOptions.FileName);

    /// <summary>"1 user", "12 users".</summary>
    public static string Users(int count) => count == 1 ? "1 user" : Invariant($"{count:N0} users");

    /// <summary>"1 user cannot sign in", "3 users cannot sign in".</summary>
    public static string Cannot(int count) => $"{Users(count)} cannot sign in";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
