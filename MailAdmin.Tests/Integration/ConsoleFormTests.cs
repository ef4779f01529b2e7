using System.Net;
using MailAdmin.Tests.Infrastructure;

namespace MailAdmin.Tests.Integration;

/// <summary>The console's static forms (sign-in, sign-out) refuse posts forged by another site.</summary>
public sealed class ConsoleFormTests : IAsyncLifetime
{
    private TestNode _node = default!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync("forms");

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task LoginPost_WithoutAntiforgeryToken_IsRefusedAndSetsNoCookie()
    {
        using var client = _node.CreateClient();

        var response = await client.PostAsync("login", new FormUrlEncodedContent(
        [
            new("_handler", "login"),
            new("Input.Username", "admin"),
            new("Input.Password", TestNode.AdminPassword),
        ]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("MailAdmin.forms=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogoutPost_WithoutAntiforgeryToken_IsRefusedAndKeepsTheSession()
    {
        using var client = await _node.SignedInClientAsync();

        var response = await client.PostAsync("logout", new FormUrlEncodedContent([new("reason", "forged")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/v1/node")).StatusCode);
    }

    [Fact]
    public async Task ConsolePages_SendHeadersThatKeepThemOutOfFrames()
    {
        using var client = _node.CreateClient();

        var response = await client.GetAsync("login");

        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
