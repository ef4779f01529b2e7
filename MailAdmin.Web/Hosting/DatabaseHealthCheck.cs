using MailAdmin.Core.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MailAdmin.Web.Hosting;

/// <summary>The node serves only while its database answers.</summary>
internal sealed class DatabaseHealthCheck(NodeDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await database.IsHealthyAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The node database cannot be opened.");
}
