using MailAdmin.Core.Accounts;
using MailAdmin.Core.Domains;
using MailAdmin.Core.Errors;

namespace MailAdmin.Core.Mail.Queue;

/// <summary>
/// The mail queue as administrators see it (the <i>Mail queue</i> page and
/// <c>/api/v1/queue</c>): list, <i>Retry now</i>, <i>Hold</i>, <i>Release</i> and
/// <i>Delete</i>, each checked against the caller's role and audited.
/// A domain administrator sees the mail for their domain only: the messages with at
/// least one recipient there, each with its sender but only that domain's recipients,
/// so that neither the addresses nor the delivery errors of other domains show.
/// </summary>
public sealed class QueueService(MailQueue queue, AuditLog audit)
{
    public IReadOnlyList<QueuedMessage> List(AdminPrincipal reader, int limit = 1000)
    {
        AccessPolicy.Demand(reader, Permission.ViewQueue);
        var messages = queue.List(Math.Clamp(limit, 1, 10_000));
        if (AccessPolicy.DomainScope(reader) is not { } scope)
        {
            return messages;
        }

        var domains = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        return
        [
            .. messages
                .Select(m => m with { Recipients = [.. m.Recipients.Where(r => IsIn(r.Address, scope, domains))] })
                .Where(m => m.Recipients.Count > 0),
        ];
    }

    public Task RetryAsync(Actor actor, string id, CancellationToken cancellationToken) =>
        ChangeAsync(actor, "queue.retry", id, () => queue.RetryNowAsync(id, cancellationToken), cancellationToken);

    public Task HoldAsync(Actor actor, string id, CancellationToken cancellationToken) =>
        ChangeAsync(actor, "queue.hold", id, () => queue.SetHeldAsync(id, held: true, cancellationToken), cancellationToken);

    public Task ReleaseAsync(Actor actor, string id, CancellationToken cancellationToken) =>
        ChangeAsync(actor, "queue.release", id, () => queue.SetHeldAsync(id, held: false, cancellationToken), cancellationToken);

    public Task DeleteAsync(Actor actor, string id, CancellationToken cancellationToken) =>
        ChangeAsync(actor, "queue.delete", id, () => queue.DeleteAsync(id, cancellationToken), cancellationToken);

    private Task ChangeAsync(Actor actor, string action, string id, Func<Task<bool>> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return audit.RunAsync(actor, action, id ?? string.Empty, async () =>
        {
            AccessPolicy.Demand(actor.Principal, Permission.ManageQueue);
            if (string.IsNullOrEmpty(id) || id.Length > 64 || !id.All(char.IsAsciiHexDigit) || !await change())
            {
                throw MailAdminException.NotFound("message-not-found", $"No message with the queue id '{id}' is in the queue; it may have been delivered meanwhile.");
            }
        }, cancellationToken);
    }

    private static bool IsIn(string address, string domain, Dictionary<string, string?> domains) =>
        MailAddresses.TryParse(address, domains, out var parsed) && string.Equals(parsed.Domain, domain, StringComparison.OrdinalIgnoreCase);
}
