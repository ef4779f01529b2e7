using Microsoft.Playwright;

namespace MailAdmin.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright (whose driver ships in
/// its NuGet package: no browser download). One browser serves a test
/// collection; each test opens a context of its own and closes it with
/// <see cref="CloseContextsAsync"/> when it ends.
/// </summary>
/// <remarks>
/// A page left open after its test keeps running: once the node behind it stops, its Blazor
/// client tries to reconnect for minutes, and a dozen such pages keep both cores of a CI machine
/// busy for the rest of the run.
/// </remarks>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _profileRoot = Path.Combine(Path.GetTempPath(), $"mailadmin-chromium-{Guid.NewGuid():N}");
    private readonly List<IBrowserContext> _contexts = [];
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        var chromium = RequiredTool.Find(ChromiumPath, "apt-get install -y chromium");
        Directory.CreateDirectory(_profileRoot);

        // Expectations wait as long as actions do: on a loaded 2-core CI machine a page whose
        // answer needs a password hash (210,000 PBKDF2 rounds) can take longer than the default 5 s.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            ],
            Env = new Dictionary<string, string>
            {
                ["XDG_CONFIG_HOME"] = Path.Combine(_profileRoot, "config"),
                ["XDG_CACHE_HOME"] = Path.Combine(_profileRoot, "cache"),
            },
            Timeout = 30_000,
        });
    }

    /// <summary>A fresh browser context (cookies of its own) and a page in it.</summary>
    public async Task<IPage> NewPageAsync(ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ColorScheme = colorScheme, Locale = "en-US" });
        _contexts.Add(context);
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Closes every context (and its pages) opened since the last call: a test's last step, before its nodes stop.</summary>
    public async Task CloseContextsAsync()
    {
        var contexts = _contexts.ToList();
        _contexts.Clear();
        foreach (var context in contexts)
        {
            try
            {
                await context.CloseAsync();
            }
            catch (PlaywrightException)
            {
                // The browser is gone, and the context with it: nothing is left running, and the test's nodes must still stop.
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Directory.Exists(_profileRoot))
        {
            Directory.Delete(_profileRoot, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
