namespace MailAdmin.Core.Errors;

/// <summary>
/// What kind of failure an operation met. The kind decides how every
/// transport answers: an HTTP status for the API, a gRPC status for peers,
/// an SMTP reply for mail clients; each mapping lives in one place.
/// </summary>
public enum ErrorKind
{
    /// <summary>The request itself is wrong; repeating it will fail again.</summary>
    Invalid,

    /// <summary>The caller is not signed in or gave wrong credentials.</summary>
    Unauthenticated,

    /// <summary>The caller is signed in but its role does not allow this.</summary>
    Forbidden,

    /// <summary>The thing addressed does not exist.</summary>
    NotFound,

    /// <summary>The request conflicts with the current state.</summary>
    Conflict,

    /// <summary>The caller must wait before trying again.</summary>
    TooManyRequests,

    /// <summary>A temporary failure (a peer or a service is down); retrying later may work.</summary>
    Unavailable,
}
