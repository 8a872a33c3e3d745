namespace EmbeddingService.Api.Problems;

/// <summary>RFC 7807 bodies for every error: handler results, framework status codes and unhandled exceptions.</summary>
public static class ProblemSetup
{
    public static IServiceCollection AddServiceProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", ApiProblems.CodeFor(status));
        });

    /// <summary>Unhandled exceptions become a bare 500 (the exception is logged, never sent); empty error responses get a body.</summary>
    public static WebApplication UseServiceErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
