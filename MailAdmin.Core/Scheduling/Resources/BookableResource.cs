namespace MailAdmin.Core.Scheduling.Resources;

/// <summary>What a resource is: a room people meet in, or equipment they take along.</summary>
public enum ResourceType
{
    Room,
    Equipment,
}

/// <summary>How a resource answers the meeting requests sent to its address.</summary>
public enum BookingPolicy
{
    /// <summary>Accepted when every occurrence is free, declined with the reason when one clashes.</summary>
    AutoAccept,

    /// <summary>Held as tentative and left for the named manager to approve or decline in the console.</summary>
    ManagerApproval,
}

/// <summary>
/// A room or a piece of equipment of a domain, booked by sending a meeting request to its
/// address. It lives on one server, its home (manual, chapter 8): that server keeps its calendar,
/// answers its requests and is where it is administered; every other server of the distributed
/// domain has a copy of its description, from the home server's document.
/// </summary>
public sealed class BookableResource
{
    public int Id { get; set; }

    public int DomainId { get; set; }

    /// <summary>Lower case ASCII, as every address of the node.</summary>
    public required string LocalPart { get; set; }

    public required string Name { get; set; }

    public ResourceType Type { get; set; }

    /// <summary>Seats of a room; null when it does not apply.</summary>
    public int? Capacity { get; set; }

    /// <summary>Where to find it: building, floor, office.</summary>
    public string? Location { get; set; }

    public string? Description { get; set; }

    public BookingPolicy Policy { get; set; }

    /// <summary>Who approves requests under <see cref="BookingPolicy.ManagerApproval"/> (an address, told of each request by mail).</summary>
    public string? Manager { get; set; }

    /// <summary>The server that keeps its calendar and administers it; null: this one.</summary>
    public string? HomeServer { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
