using System.Text.Json;
using MailAdmin.Core.Configuration;

namespace MailAdmin.Core.Licensing;

/// <summary>Where the node's seat count came from.</summary>
public enum LicenceSource
{
    /// <summary>No licence file and no <c>Licence:Seats</c>: every mailbox may sign in.</summary>
    Unlimited,

    /// <summary><c>licence.json</c> in the data directory.</summary>
    File,

    /// <summary>The <c>Licence:Seats</c> option.</summary>
    Setting,
}

/// <summary>
/// The node's licence (manual, chapter 3): how many mailboxes may live on it.
/// Read from <c>licence.json</c> in the data directory (<c>{"seats": 50, "licensee": "Company Ltd"}</c>)
/// or from <c>Licence:Seats</c>; the file wins when both are there, since it is what was bought.
/// </summary>
public sealed record LicenceOptions(int? Seats, LicenceSource Source, string? Licensee)
{
    public const string FileName = "licence.json";

    public const int MaxSeats = 1_000_000;

    public static LicenceOptions Unlimited { get; } = new(null, LicenceSource.Unlimited, null);

    public static LicenceOptions Read(SettingsReader settings, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var file = Path.Combine(dataDir, FileName);
        if (File.Exists(file))
        {
            return ReadFile(file);
        }

        return settings.Text("Licence:Seats") is null
            ? Unlimited
            : new LicenceOptions(settings.Number("Licence:Seats", 0, 0, MaxSeats), LicenceSource.Setting, null);
    }

    private static LicenceOptions ReadFile(string file)
    {
        const string Key = "Licence file";
        var fix = $"Write it as {{\"seats\": 50, \"licensee\": \"Your Company\"}}, or remove it to use Licence:Seats.";
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("seats", out var seats) || seats.ValueKind != JsonValueKind.Number
                || !seats.TryGetInt32(out var count) || count is < 0 or > MaxSeats)
            {
                throw new InvalidSettingException(Key, $"'{file}' does not give \"seats\" as a whole number from 0 to {MaxSeats}. {fix}");
            }

            var licensee = root.TryGetProperty("licensee", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
            return new LicenceOptions(count, LicenceSource.File, string.IsNullOrWhiteSpace(licensee) ? null : licensee.Trim());
        }
        catch (JsonException e)
        {
            throw new InvalidSettingException(Key, $"'{file}' is not valid JSON ({e.Message}). {fix}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidSettingException(Key, $"cannot read '{file}' ({e.Message.TrimEnd('.')}). Let the node's user read it.");
        }
    }
}
