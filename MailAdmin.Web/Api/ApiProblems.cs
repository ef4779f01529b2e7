using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Mvc;

namespace MailAdmin.Web.Api;

/// <summary>
/// The one mapping from Core's error taxonomy to HTTP: every refusal is
/// <c>application/problem+json</c> with a stable <c>code</c>.
/// </summary>
public static class ApiProblems
{
    public static bool IsApi(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || request.Path.StartsWithSegments(FreeBusyEndpoints.Prefix, StringComparison.OrdinalIgnoreCase);
    }

    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The code a problem gets when the code that raised it named none.</summary>
    public static string DefaultCode(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "invalid-request",
        StatusCodes.Status401Unauthorized => "unauthenticated",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status413PayloadTooLarge => "request-too-large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
        StatusCodes.Status429TooManyRequests => "too-many-requests",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        _ => "internal-error",
    };

    /// <summary>What a problem says when the code that raised it said nothing.</summary>
    public static string DefaultDetail(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request is malformed: send a JSON body of the documented shape (see /openapi/v1.json).",
        StatusCodes.Status404NotFound => "There is no such API call or object; the calls are listed in /openapi/v1.json.",
        StatusCodes.Status405MethodNotAllowed => "This call does not take that HTTP method; see /openapi/v1.json.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
        StatusCodes.Status500InternalServerError => "The node met an unexpected error; its log has the details.",
        _ => "The request was refused.",
    };

    /// <summary>An enum from its name in a request (case-insensitive, numbers refused), or the <c>invalid-{field}</c> refusal.</summary>
    public static T ParseEnum<T>(string? value, string field, string allowed)
        where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _)
            ? parsed
            : throw MailAdminException.Invalid($"invalid-{field}", $"'{value}' is not a valid {field}: use {allowed}.");

    public static Task WriteAsync(HttpContext context, MailAdminException error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        if (error.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteAsync(context, StatusOf(error.Kind), error.Code, error.Message, error.Details);
    }

    public static async Task WriteAsync(HttpContext context, int status, string code, string detail, IReadOnlyDictionary<string, object?>? details = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = ReasonPhrase(status),
            Detail = detail,
            Extensions = { ["code"] = code },
        };
        foreach (var (name, value) in details ?? new Dictionary<string, object?>())
        {
            problem.Extensions[name] = value;
        }

        var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await writer.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
        }
    }

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
