using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>
/// A WatchJob stream read step by step: opened (its first event, the job's current state, already read, so the server
/// is subscribed), then read until an event of interest, keeping every event.
/// </summary>
internal sealed class JobWatcher : IDisposable
{
    private readonly AsyncServerStreamingCall<V1.JobEvent> _call;
    private readonly CancellationTokenSource _timeout;

    private JobWatcher(AsyncServerStreamingCall<V1.JobEvent> call, CancellationTokenSource timeout) => (_call, _timeout) = (call, timeout);

    public List<V1.JobEvent> Events { get; } = [];

    public static async Task<JobWatcher> OpenAsync(V1.Training.TrainingClient client, string id, TimeSpan? timeout = null)
    {
        var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        var watcher = new JobWatcher(client.WatchJob(new V1.JobRef { Id = id }, cancellationToken: cancel.Token), cancel);
        Assert.True(await watcher.NextAsync(), "the watch ended before its first event");
        return watcher;
    }

    /// <summary>Reads until <paramref name="until"/> holds for an event (true) or the stream ends (false).</summary>
    public async Task<bool> UntilAsync(Func<V1.JobEvent, bool> until)
    {
        while (await NextAsync())
            if (until(Events[^1])) return true;
        return false;
    }

    /// <summary>Reads to the end of the stream (the job's terminal state) and returns that state.</summary>
    public async Task<V1.JobState> ToEndAsync()
    {
        while (await NextAsync()) { }
        var last = Events[^1];
        Assert.Equal(V1.JobEvent.EventOneofCase.State, last.EventCase);
        return last.State.State;
    }

    public static bool IsState(V1.JobEvent e, V1.JobState state) => e.EventCase == V1.JobEvent.EventOneofCase.State && e.State.State == state;

    public static bool IsStepAtLeast(V1.JobEvent e, long step) => e.EventCase == V1.JobEvent.EventOneofCase.Progress && e.Progress.Step >= step;

    public IEnumerable<V1.JobProgress> Progress => Events.Where(e => e.EventCase == V1.JobEvent.EventOneofCase.Progress).Select(e => e.Progress);

    public IEnumerable<V1.JobState> States => Events.Where(e => e.EventCase == V1.JobEvent.EventOneofCase.State).Select(e => e.State.State);

    private async Task<bool> NextAsync()
    {
        if (!await _call.ResponseStream.MoveNext(_timeout.Token)) return false;
        Events.Add(_call.ResponseStream.Current);
        return true;
    }

    public void Dispose()
    {
        _call.Dispose();
        _timeout.Dispose();
    }
}
