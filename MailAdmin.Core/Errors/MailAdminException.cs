namespace MailAdmin.Core.Errors;

/// <summary>
/// A refusal that a user or a caller can act on. <see cref="Code"/> is a
/// stable kebab-case word (the API's problem <c>code</c>); the message says
/// what was wrong and what to do next, and never carries secrets.
/// </summary>
public class MailAdminException : Exception
{
    public MailAdminException(ErrorKind kind, string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Code = code;
    }

    public MailAdminException()
        : this(ErrorKind.Invalid, "invalid-request", "The request is not valid.")
    {
    }

    public MailAdminException(string message)
        : this(ErrorKind.Invalid, "invalid-request", message)
    {
    }

    public MailAdminException(string message, Exception innerException)
        : this(ErrorKind.Invalid, "invalid-request", message, innerException)
    {
    }

    public ErrorKind Kind { get; }

    public string Code { get; }

    /// <summary>Further facts a caller may act on, written as extra members of the API's problem (<c>conflicts</c> of a refused join).</summary>
    public IReadOnlyDictionary<string, object?>? Details { get; init; }

    /// <summary>How long the caller should wait, for <see cref="ErrorKind.TooManyRequests"/>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static MailAdminException Invalid(string code, string message) => new(ErrorKind.Invalid, code, message);

    public static MailAdminException NotFound(string code, string message) => new(ErrorKind.NotFound, code, message);

    public static MailAdminException Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);

    public static MailAdminException Forbidden(string message) => new(ErrorKind.Forbidden, "forbidden", message);
}
