using Grpc.Core;
using MailAdmin.Core.Distribution;
using MailAdmin.Core.Distribution.Protocol;
using MailAdmin.Core.Errors;
using MailAdmin.Core.Mail;
using MailAdmin.Core.Mail.Routing;
using MailAdmin.Core.Nodes;

namespace MailAdmin.Core.Scheduling;

/// <summary>
/// The home server's side of free/busy across servers (the <c>Calendar</c> peer service). The
/// peer interceptor authenticated the calling member by its certificate; the reader's rights
/// were checked by the member that asks, as for its own users: free/busy holds only busy time.
/// </summary>
public sealed class CalendarPeerService(FreeBusyService freeBusy, CalendarBook book, RecipientDirectory directory, NextHopRouter router, NodeOptions node)
    : Distribution.Protocol.Calendar.CalendarBase
{
    public override async Task<FreeBusyReply> FreeBusy(FreeBusyRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        CallerOf(context);
        try
        {
            var owner = HomedHere(request.Address);
            var range = FreeBusyRange.Create(DateTimeOffset.FromUnixTimeMilliseconds(request.StartUnixMs), DateTimeOffset.FromUnixTimeMilliseconds(request.EndUnixMs));
            var answer = await freeBusy.LocalAsync(owner, range, context.CancellationToken);
            var reply = new FreeBusyReply { Owner = owner };
            reply.Busy.Add(answer.Busy.Select(p => new Distribution.Protocol.BusyPeriod
            {
                StartUnixMs = p.Start.ToUnixTimeMilliseconds(),
                EndUnixMs = p.End.ToUnixTimeMilliseconds(),
                Type = p.Kind == BusyKind.Tentative ? BusyType.Tentative : BusyType.Busy,
            }));
            return reply;
        }
        catch (MailAdminException e)
        {
            return new FreeBusyReply { Refusal = new Refusal { Kind = e.Kind.ToString(), Code = e.Code, Message = e.Message } };
        }
    }

    public override async Task<ExportCalendarReply> ExportCalendar(ExportCalendarRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        CallerOf(context);
        try
        {
            var owner = HomedHere(request.Address);
            var reply = new ExportCalendarReply();
            reply.Entries.Add((await book.ExportAsync(owner, context.CancellationToken)).Select(CalendarRecords.ToRecord));
            return reply;
        }
        catch (MailAdminException e)
        {
            return new ExportCalendarReply { Refusal = new Refusal { Kind = e.Kind.ToString(), Code = e.Code, Message = e.Message } };
        }
    }

    /// <summary>The primary address of a mailbox that lives on this node.</summary>
    private string HomedHere(string address)
    {
        if (MailPath.FromAddress(address) is not { } path || directory.Find(path) is not RecipientTarget.Mailbox { Removed: false } mailbox)
        {
            throw MailAdminException.NotFound("unknown-address", $"{node.Name} knows no mailbox {address}.");
        }

        if (router.ForMailbox(mailbox).Kind != HopKind.Local)
        {
            throw new MailAdminException(ErrorKind.Unavailable, "home-server-moved",
                $"The mailbox of {mailbox.Address} no longer lives on {node.Name} but on {mailbox.HomeServer}; try again in a moment, when every server knows it.");
        }

        return mailbox.Address;
    }

    private static string CallerOf(ServerCallContext context) =>
        context.UserState.TryGetValue(ClusterProtocol.CallerNodeKey, out var name) && name is string caller
            ? caller
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "The caller was not authenticated as a member of this distributed domain."));
}
