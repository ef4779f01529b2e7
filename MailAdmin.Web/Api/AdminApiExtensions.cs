using MailAdmin.Core.Errors;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace MailAdmin.Web.Api;

public static class AdminApiExtensions
{
    /// <summary>Largest request body the admin API reads.</summary>
    public const long MaxRequestBytes = 1 << 20;

    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", ApiProblems.DefaultCode(status));
            context.ProblemDetails.Detail ??= ApiProblems.DefaultDetail(status);
            if (context.Exception is not null && status >= 500)
            {
                context.ProblemDetails.Detail = "The node met an unexpected error; its log has the details.";
            }
        });
        services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "MailAdmin admin API";
                document.Info.Description = "Every action of the MailAdmin console, as HTTP calls. Errors are application/problem+json with a stable code.";
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// Refusals raised by Core become problem documents for <c>/api</c>;
    /// unexpected failures become a 500 problem without internals.
    /// </summary>
    public static WebApplication UseAdminApiErrors(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is MailAdminException m ? ApiProblems.StatusOf(m.Kind) : StatusCodes.Status500InternalServerError,
        });
        app.UseWhen(context => ApiProblems.IsApi(context.Request), api =>
        {
            api.UseStatusCodePages();
            api.Use(async (context, next) =>
            {
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                {
                    limit.MaxRequestBodySize = MaxRequestBytes;
                }

                try
                {
                    await next(context);
                }
                catch (MailAdminException e) when (!context.Response.HasStarted)
                {
                    await ApiProblems.WriteAsync(context, e);
                }
            });
        });
        return app;
    }

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var v1 = app.MapGroup("/api/v1").ProducesProblem(StatusCodes.Status401Unauthorized);
        v1.MapSessionEndpoints();
        v1.MapNodeEndpoints();
        v1.MapAuditEndpoints();
        v1.MapAdministratorEndpoints();
        v1.MapDomainEndpoints();
        v1.MapUserEndpoints();
        v1.MapAddressBookEndpoints();
        v1.MapGalEndpoints();
        v1.MapResourceEndpoints();
        v1.MapQueueEndpoints();
        v1.MapClusterEndpoints();
        v1.MapMigrationEndpoints();
        return app;
    }
}
