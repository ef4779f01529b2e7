using System.Xml.Linq;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.CardDav;

/// <summary>
/// A WebDAV precondition the request failed (RFC 4918 section 16): the client receives the
/// condition's element in a <c>DAV:error</c> body, which is what WebDAV clients act on (a sync
/// client drops its token on <c>DAV:valid-sync-token</c>), beside the message for people.
/// </summary>
public sealed class DavPreconditionException : MailAdminException
{
    public DavPreconditionException(XName condition, string message, IEnumerable<XElement>? content = null)
        : base(ErrorKind.Forbidden, condition?.LocalName ?? throw new ArgumentNullException(nameof(condition)), message)
    {
        Condition = condition;
        Content = [.. content ?? []];
    }

    public DavPreconditionException()
        : this(CardDavNames.NeedPrivileges, "The request failed a WebDAV precondition.")
    {
    }

    public DavPreconditionException(string message)
        : this(CardDavNames.NeedPrivileges, message)
    {
    }

    public DavPreconditionException(string message, Exception innerException)
        : base(ErrorKind.Forbidden, "need-privileges", message, innerException)
    {
        Condition = CardDavNames.NeedPrivileges;
        Content = [];
    }

    /// <summary>The precondition's element name, such as <c>DAV:valid-sync-token</c>.</summary>
    public XName Condition { get; }

    /// <summary>What the condition's element holds: the unsupported filter, say.</summary>
    public IReadOnlyList<XElement> Content { get; }
}
