using EmbeddingService.Api.Hosting;
using Serilog;
using Serilog.Filters;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace EmbeddingService.Api.Observability;

/// <summary>
/// Serilog in place of the default logger: readable console lines in Development, compact JSON otherwise
/// (levels overridable under "Serilog:MinimumLevel"), and one log line per request.
/// </summary>
public static class LoggingSetup
{
    private static readonly Func<LogEvent, bool> FromHost = Matching.FromSource("Microsoft.Extensions.Hosting.Internal.Host");

    public const string RequestTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";

    public static WebApplicationBuilder AddServiceLogging(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                // The host logs a failed start with its stack trace; a refusal is reported as one line instead (Program.cs).
                .Filter.ByExcluding(e => e.Exception is { } failure && FromHost(e) && StartupRefusal.Describe(failure, services) is not null)
                .Filter.ByExcluding(e => StartingProbes.IsExpectedNotReady(e, services));
            if (development)
                logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {Properties}{NewLine}{Exception}");
            else
                logger.WriteTo.Console(new CompactJsonFormatter());
        }, preserveStaticLogger: true);
        builder.Services.AddSingleton<RequestLogEnricher>();
        return builder;
    }

    /// <summary>
    /// Probes and scrapes log at Debug so that they do not drown the traffic, a 503 "not ready" included (a failing health
    /// check logs its own error); other 5xx and exceptions at Error.
    /// </summary>
    public static WebApplication UseServiceRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = RequestTemplate;
            // The static Log.Logger is left alone (several hosts may share a process), so name the host's logger.
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.GetLevel = (context, _, exception) =>
                exception is not null ? LogEventLevel.Error
                : context.Request.Path.StartsWithSegments("/health") && context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable ? LogEventLevel.Debug
                : context.Response.StatusCode >= 500 ? LogEventLevel.Error
                : context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics") ? LogEventLevel.Debug
                : LogEventLevel.Information;
        });
        return app;
    }
}
