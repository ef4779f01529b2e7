using MailAdmin.Core.Configuration;
using Microsoft.AspNetCore.Connections;

namespace MailAdmin.Web.Hosting;

/// <summary>Turns a failure to listen into one line that names the setting to fix.</summary>
internal static class StartupFailure
{
    public static string? Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is InvalidSettingException)
            {
                return e.Message; // The SMTP listeners name their own setting (Smtp:Port in use, say).
            }

            if (e is AddressInUseException || (e is IOException && e.Message.Contains("bind", StringComparison.OrdinalIgnoreCase)))
            {
                return $"Invalid setting --urls: {e.Message.TrimEnd('.')}. Choose a free address and port, for example --urls=http://127.0.0.1:5081.";
            }
        }

        return null;
    }
}
