namespace MailAdmin.Core.Domains;

/// <summary>An address of the domain that forwards to another address.</summary>
public sealed class DomainAlias
{
    public int Id { get; set; }

    public int DomainId { get; set; }

    public required string LocalPart { get; set; }

    /// <summary>Where mail goes: an address of this node's domains, or outside.</summary>
    public required string Target { get; set; }

    /// <summary>The server that administers it in a distributed domain (manual, chapter 8); null: this one.</summary>
    public string? HomeServer { get; set; }
}

/// <summary>An address of the domain that delivers to every member.</summary>
public sealed class MailingList
{
    public int Id { get; set; }

    public int DomainId { get; set; }

    public required string LocalPart { get; set; }

    public List<string> Members { get; set; } = [];

    /// <summary>The server that administers it in a distributed domain (manual, chapter 8); null: this one.</summary>
    public string? HomeServer { get; set; }
}
