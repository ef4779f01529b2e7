using System.Net;
using System.Text.Json;

namespace MailAdmin.Tests.Infrastructure;

/// <summary>An RFC 9457 problem document as the API returns it.</summary>
public sealed record Problem(int Status, string? Title, string? Detail, string? Code)
{
    public static async Task<Problem> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        return new Problem(
            root.GetProperty("status").GetInt32(),
            root.TryGetProperty("title", out var title) ? title.GetString() : null,
            root.TryGetProperty("detail", out var detail) ? detail.GetString() : null,
            root.TryGetProperty("code", out var code) ? code.GetString() : null);
    }
}
