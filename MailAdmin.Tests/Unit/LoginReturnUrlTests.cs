using MailAdmin.Web.Components.Pages;

namespace MailAdmin.Tests.Unit;

public sealed class LoginReturnUrlTests
{
    [Theory]
    [InlineData("/audit")]
    [InlineData("/audit?page=2")]
    [InlineData("/admins")]
    public void SafeReturnUrl_LocalPath_IsKept(string url) => Assert.Equal(url, Login.SafeReturnUrl(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("audit")]
    [InlineData("/login")]
    [InlineData("/LOGIN?returnUrl=/login")]
    public void SafeReturnUrl_ForeignOrLoopingUrl_BecomesTheDashboard(string? url) => Assert.Equal("/", Login.SafeReturnUrl(url));
}
