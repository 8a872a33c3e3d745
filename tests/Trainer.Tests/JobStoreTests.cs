using EmbeddingService.Trainer.Jobs;
using Microsoft.Data.Sqlite;

namespace EmbeddingService.Trainer.Tests;

/// <summary>The job store alone: queue order, transitions and their history, stop requests, recovery after a lost worker, idempotency.</summary>
public sealed class JobStoreTests
{
    private readonly string _data = TinySpecs.TempDir();

    private static NewJob Job(int priority = 0, string? key = null, string body = "a") => new()
    {
        Kind = JobKind.Pretrain,
        Spec = "{}",
        SpecHash = "sha256:x",
        Priority = priority,
        IdempotencyKey = key,
        BodyHash = body,
    };

    [Fact]
    public void The_database_is_in_wal_mode_in_the_data_directory()
    {
        _ = new JobStore(_data, TimeProvider.System);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, TrainerDatabase.FileName)}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void Claims_take_the_highest_priority_then_the_oldest_and_only_queued_jobs()
    {
        var store = new JobStore(_data, TimeProvider.System);
        var low = store.Submit(Job(priority: 0)).Job.Id;
        var high = store.Submit(Job(priority: 3)).Job.Id;
        var highLater = store.Submit(Job(priority: 3)).Job.Id;
        var negative = store.Submit(Job(priority: -1)).Job.Id;
        Assert.NotNull(store.TryTransition(negative, [JobState.Queued], JobState.Paused, "paused", "held"));

        var claimed = new List<string>();
        while (store.ClaimNext() is { } job)
        {
            Assert.Equal(JobState.Running, job.State);
            claimed.Add(job.Id);
        }
        Assert.Equal([high, highLater, low], claimed);
        Assert.Equal(JobState.Paused, store.Find(negative)!.State);
    }

    [Fact]
    public void A_transition_applies_only_from_the_given_states_and_every_one_is_in_the_history()
    {
        var store = new JobStore(_data, TimeProvider.System);
        var id = store.Submit(Job()).Job.Id;
        Assert.Null(store.TryTransition(id, [JobState.Running], JobState.Succeeded, "completed", "done"));
        Assert.Null(store.TryTransition("job-nope", [JobState.Queued], JobState.Paused, "paused", "held"));
        store.ClaimNext();
        var done = store.TryTransition(id, [JobState.Running], JobState.Succeeded, "completed", "completed 8 iterations")!;
        Assert.Equal((JobState.Succeeded, "completed", "completed 8 iterations"), (done.State, done.Reason, done.Message));

        var history = store.History(id);
        Assert.Equal([JobState.Queued, JobState.Running, JobState.Succeeded], history.Select(h => h.State));
        Assert.Equal(["submitted", "started", "completed"], history.Select(h => h.Reason));
        Assert.True(history.Zip(history.Skip(1)).All(p => p.First.At <= p.Second.At));
        Assert.Equal(history[^1].At, done.UpdatedAt);
    }

    [Fact]
    public void A_stop_request_needs_a_running_job_and_a_cancel_is_never_downgraded_to_a_pause()
    {
        var store = new JobStore(_data, TimeProvider.System);
        var id = store.Submit(Job()).Job.Id;
        Assert.False(store.RequestStop(id, StopRequest.Pause));
        store.ClaimNext();
        Assert.True(store.RequestStop(id, StopRequest.Pause));
        Assert.True(store.RequestStop(id, StopRequest.Cancel));
        Assert.False(store.RequestStop(id, StopRequest.Pause));
        Assert.Equal(StopRequest.Cancel, store.Find(id)!.StopRequest);
        var paused = store.TryTransition(id, [JobState.Running], JobState.Cancelled, "cancelled", "by request")!;
        Assert.Equal(StopRequest.None, paused.StopRequest);
    }

    [Fact]
    public void Jobs_a_lost_worker_left_running_are_queued_again_or_end_as_they_were_asked()
    {
        var before = new JobStore(_data, TimeProvider.System);
        var plain = before.Submit(Job()).Job.Id;
        var pausing = before.Submit(Job()).Job.Id;
        var cancelling = before.Submit(Job()).Job.Id;
        var queued = before.Submit(Job()).Job.Id;
        for (var i = 0; i < 3; i++) before.ClaimNext();
        before.RecordProgress(plain, 42, 100);
        before.RequestStop(pausing, StopRequest.Pause);
        before.RequestStop(cancelling, StopRequest.Cancel);

        // A new store on the same directory: the worker started again after a kill -9.
        var after = new JobStore(_data, TimeProvider.System);
        var recovered = after.RecoverInterrupted().ToDictionary(j => j.Id);
        Assert.Equal(3, recovered.Count);
        Assert.Equal((JobState.Queued, "worker_lost"), (recovered[plain].State, recovered[plain].Reason));
        Assert.StartsWith("interrupted (worker_lost)", recovered[plain].Message);
        Assert.Equal(42, recovered[plain].Step);
        Assert.Equal(JobState.Paused, recovered[pausing].State);
        Assert.Equal(JobState.Cancelled, recovered[cancelling].State);
        Assert.Equal(JobState.Queued, after.Find(queued)!.State);
        Assert.Empty(after.RecoverInterrupted());
        Assert.Equal([JobState.Queued, JobState.Running, JobState.Queued], after.History(plain).Select(h => h.State));

        // The queued jobs, the re-queued one first (it was submitted first), run again; its claim says where it was.
        var next = after.ClaimNext()!;
        Assert.Equal(plain, next.Id);
        Assert.Contains("step 42", next.Message);
    }

    [Fact]
    public void An_idempotency_key_returns_its_job_for_the_same_body_and_refuses_another()
    {
        var store = new JobStore(_data, TimeProvider.System);
        var (first, created) = store.Submit(Job(key: "k", body: "one"));
        Assert.True(created);
        var (again, createdAgain) = store.Submit(Job(key: "k", body: "one"));
        Assert.False(createdAgain);
        Assert.Equal(first.Id, again.Id);
        var refused = Assert.Throws<JobRequestException>(() => store.Submit(Job(key: "k", body: "two")));
        Assert.Equal(JobError.IdempotencyConflict, refused.Error);
        Assert.Contains(first.Id, refused.Message);
        Assert.Single(store.List(new JobQuery()).Jobs);
        Assert.Equal(1, store.CountByState()[JobState.Queued]);
    }
}
