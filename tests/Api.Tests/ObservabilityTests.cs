using System.Net;
using EmbeddingService.Api.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace EmbeddingService.Api.Tests;

/// <summary>Prometheus metrics and the one log line per request.</summary>
public sealed class ObservabilityTests
{
    [Fact]
    public async Task MetricsExposeRequestDurationsAsPrometheusText()
    {
        await using var service = await TestService.StartAsync([], waitUntilReady: false);
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/live")).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await service.RestClient.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            // The duration is recorded as the request ends, possibly after the client has its answer; the exporter also caches scrapes briefly.
            if ((await response.Content.ReadAsStringAsync()).Contains("http_server_request_duration_seconds_bucket{")) return;
            Assert.True(DateTime.UtcNow < deadline, "no http.server.request.duration in /metrics");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task EachRequestLogsOneLineWithStatusElapsedAndWhatTheHandlerRecorded()
    {
        var sink = new CollectingSink();
        await using var service = await TestService.StartAsync([],
            configure: builder => builder.Services.AddSingleton<ILogEventSink>(sink),
            map: app => app.MapGet("/test/embed", (RequestLogEnricher log) =>
            {
                log.Record(images: 2, tokens: 514, queueMs: 1.25, inferenceMs: 30.5);
                return Results.NoContent();
            }),
            waitUntilReady: false);
        Assert.Equal(HttpStatusCode.NoContent, (await service.RestClient.GetAsync("/test/embed")).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        LogEvent? line;
        while ((line = sink.Events.SingleOrDefault(e => e.MessageTemplate.Text == LoggingSetup.RequestTemplate && Property(e, "RequestPath") == "\"/test/embed\"")) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "no request log line among: " + string.Join(" | ", sink.Events.Select(e => e.RenderMessage())));
            await Task.Delay(50);
        }
        Assert.Equal("204", Property(line, "StatusCode"));
        Assert.NotNull(Property(line, "Elapsed"));
        Assert.Equal("2", Property(line, RequestLogEnricher.Images));
        Assert.Equal("514", Property(line, RequestLogEnricher.Tokens));
        Assert.Equal("1.25", Property(line, RequestLogEnricher.QueueMs));
        Assert.Equal("30.5", Property(line, RequestLogEnricher.InferenceMs));
    }

    private static string? Property(LogEvent e, string name) => e.Properties.TryGetValue(name, out var value) ? value.ToString() : null;
}
