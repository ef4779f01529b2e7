using MudBlazor;

namespace MailAdmin.Web.Components.Layout;

/// <summary>The console's colours, light and dark.</summary>
internal static class ConsoleTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1565c0",
            Secondary = "#00897b",
            AppbarBackground = "#1565c0",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#90caf9",
            Secondary = "#4db6ac",
            AppbarBackground = "#1e1e2d",
        },
    };
}
