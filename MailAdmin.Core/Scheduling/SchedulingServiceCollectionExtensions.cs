using Microsoft.Extensions.DependencyInjection;

namespace MailAdmin.Core.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>Calendars from iMIP, free/busy across servers, bookable resources, the meeting planner.</summary>
    public static IServiceCollection AddScheduling(this IServiceCollection services)
    {
        services.AddSingleton<CalendarBook>();
        services.AddSingleton<CalendarInbox>();
        services.AddSingleton<FreeBusyService>();
        services.AddSingleton<CalendarPeerService>();
        services.AddSingleton<Resources.ResourceDesk>();
        services.AddSingleton<Resources.ResourceService>();
        services.AddSingleton<MeetingPlanner>();
        return services;
    }
}
