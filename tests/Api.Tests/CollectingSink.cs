using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace EmbeddingService.Api.Tests;

/// <summary>Keeps every Serilog event it receives.</summary>
public sealed class CollectingSink : ILogEventSink
{
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
}
