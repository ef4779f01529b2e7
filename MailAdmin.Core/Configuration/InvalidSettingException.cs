namespace MailAdmin.Core.Configuration;

/// <summary>
/// A configuration value the node cannot start with. The message is one
/// line that names the setting (as it is written on the command line) and
/// says what is wrong with it.
/// </summary>
public sealed class InvalidSettingException : Exception
{
    public InvalidSettingException(string setting, string problem)
        : base($"Invalid setting {setting}: {problem}")
    {
        Setting = setting;
    }

    public InvalidSettingException()
    {
        Setting = string.Empty;
    }

    public InvalidSettingException(string message)
        : base(message)
    {
        Setting = string.Empty;
    }

    public InvalidSettingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = string.Empty;
    }

    public string Setting { get; }
}
