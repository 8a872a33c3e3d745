using System.Net;
using System.Net.Sockets;
using System.Text;
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

    [Fact]
    public async Task AClientThatResetsMidBodyIsLoggedAndCountedAsAnAbortNotAsAServerError()
    {
        var sink = new CollectingSink();
        await using var service = await TestService.StartAsync([], configure: builder => builder.Services.AddSingleton<ILogEventSink>(sink));
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, service.RestClient.BaseAddress!.Port);
            // Kestrel answers 100 Continue once the handler reads the body: from then on the reset is mid-body.
            await socket.SendAsync(Encoding.ASCII.GetBytes("POST /v1/embed HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n"));
            var buffer = new byte[256];
            var received = await socket.ReceiveAsync(buffer);
            Assert.StartsWith("HTTP/1.1 100", Encoding.ASCII.GetString(buffer, 0, received));
            await socket.SendAsync(new byte[1000]);
            socket.LingerState = new LingerOption(true, 0);
        }

        await AssertLoggedAndCountedAsAnAbortAsync(service, sink, "499");
    }

    [Fact]
    public async Task AClientThatStallsMidBodyGetsA408AndIsLoggedAndCountedAsAnAbortNotAsAServerError()
    {
        var sink = new CollectingSink();
        // Kestrel checks the body rate once the grace has passed: 100 bytes in 2 s is below 240 bytes per second.
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Serving:MinRequestBodyBytesPerSecond=240", "--Serving:MinRequestBodyGraceSeconds=2"],
            configure: builder => builder.Services.AddSingleton<ILogEventSink>(sink));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, service.RestClient.BaseAddress!.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST /v1/embed HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n"));
        await socket.SendAsync(new byte[100]);

        // Then nothing more: the service answers Kestrel's 408 (or closes the connection), well before the client's patience ends.
        var buffer = new byte[4096];
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, patience.Token);
        var answer = Encoding.ASCII.GetString(buffer, 0, received);
        Assert.True(received == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);

        await AssertLoggedAndCountedAsAnAbortAsync(service, sink, "408");
    }

    /// <summary>
    /// The abort of /v1/embed is one line at Information without a stack, its request line has <paramref name="status"/>
    /// below Error, it is counted in embedding_service_client_aborts_total, and the service stays ready.
    /// </summary>
    private static async Task AssertLoggedAndCountedAsAnAbortAsync(TestService service, CollectingSink sink, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // The request line is written when the pipeline unwinds, after the abort line: wait for both.
        while (!sink.Events.Any(e => e.MessageTemplate.Text.StartsWith("The client went away", StringComparison.Ordinal))
               || !sink.Events.Any(e => e.MessageTemplate.Text == LoggingSetup.RequestTemplate && Property(e, "RequestPath") == "\"/v1/embed\""))
        {
            Assert.True(DateTime.UtcNow < deadline, "no client-abort line and request line among: " + string.Join(" | ", sink.Events.Select(e => e.RenderMessage())));
            await Task.Delay(50);
        }
        var abort = sink.Events.First(e => e.MessageTemplate.Text.StartsWith("The client went away", StringComparison.Ordinal));
        Assert.Equal(LogEventLevel.Information, abort.Level);
        Assert.Null(abort.Exception);
        // Kestrel's own attempt to drain the cut body may log under its category; nothing of the application's may.
        Assert.DoesNotContain(sink.Events, e => e.Exception is not null && Property(e, "SourceContext") != "\"Microsoft.AspNetCore.Server.Kestrel\"");
        var request = sink.Events.Single(e => e.MessageTemplate.Text == LoggingSetup.RequestTemplate && Property(e, "RequestPath") == "\"/v1/embed\"");
        Assert.Equal(status, Property(request, "StatusCode"));
        Assert.True(request.Level < LogEventLevel.Error);
        while (!(await service.RestClient.GetStringAsync("/metrics")).Contains("embedding_service_client_aborts_total{otel_scope_name=\"EmbeddingService\",transport=\"rest\"}"))
        {
            Assert.True(DateTime.UtcNow < deadline, "no client abort counted in /metrics");
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.OK, (await service.RestClient.GetAsync("/health/ready")).StatusCode);
    }

    private static string? Property(LogEvent e, string name) => e.Properties.TryGetValue(name, out var value) ? value.ToString() : null;
}
