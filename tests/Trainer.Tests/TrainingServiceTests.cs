using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingService.Trainer.Jobs;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Runs.Spec;
using EmbeddingService.Training.Tests.Runs;
using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>embedding.v1.Training end to end: a worker on loopback, tiny runs on synthetic data.</summary>
public sealed class TrainingServiceTests
{
    private static readonly string[] LossTerms = ["dino_local_crops_loss", "dino_global_crops_loss", "koleo_loss", "ibot_loss"];

    private static V1.SubmitJobRequest Pretrain(int steps, int checkpointEvery = 5, int priority = 0, string key = "") =>
        new() { Kind = V1.JobKind.Pretrain, SpecJson = TinySpecs.Pretrain(steps, checkpointEvery), Priority = priority, IdempotencyKey = key };

    [Fact]
    public async Task A_submitted_job_streams_every_step_and_succeeds_with_its_artifacts_in_its_folder()
    {
        await using var host = await TrainerHost.StartAsync();
        var job = await host.Client.SubmitJobAsync(Pretrain(steps: 6, checkpointEvery: 3));
        Assert.Equal(V1.JobState.Queued, job.State);
        Assert.Equal(Path.Combine(host.DataDirectory, "jobs", job.Id), job.OutputDir);
        Assert.StartsWith("sha256:", job.SpecHash);

        using var watch = await JobWatcher.OpenAsync(host.Client, job.Id);
        Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
        // Steps done before the watch subscribed are not replayed; from the first one seen, every step comes, in order.
        var steps = watch.Progress.Where(p => p.Losses.Count > 0).ToList();
        Assert.Equal(Enumerable.Range((int)steps[0].Step, 7 - (int)steps[0].Step).Select(s => (long)s).ToArray(), steps.Select(p => p.Step).ToArray());
        Assert.All(steps, p =>
        {
            Assert.Equal(6, p.TotalSteps);
            Assert.Equal("pretrain", p.Stage);
            Assert.All(LossTerms, term => Assert.True(double.IsFinite(p.Losses[term]), term));
            Assert.True(p.ImagesPerSecond > 0);
            Assert.True(p.EtaSeconds >= 0);
        });
        Assert.Equal(0.0, steps[^1].EtaSeconds);
        var checkpoints = watch.Events.Where(e => e.EventCase == V1.JobEvent.EventOneofCase.Checkpoint).Select(e => e.Checkpoint.Step).ToArray();
        Assert.Equal(6, checkpoints[^1]);
        Assert.All(checkpoints, step => Assert.Equal(0, step % 3));

        var done = await host.Client.GetJobAsync(new V1.JobRef { Id = job.Id });
        Assert.Equal((V1.JobState.Succeeded, "completed", 6L, 6L), (done.State, done.Reason, done.Step, done.TotalSteps));
        Assert.Equal([V1.JobState.Queued, V1.JobState.Running, V1.JobState.Succeeded], done.History.Select(h => h.State).ToArray());
        Assert.True(done.History.Zip(done.History.Skip(1)).All(pair => pair.First.At.ToDateTimeOffset() <= pair.Second.At.ToDateTimeOffset()));

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(job.OutputDir, TrainingRun.SummaryFile)))!;
        Assert.Equal("completed", summary["status"]!.GetValue<string>());
        Assert.Equal(6, summary["iterations"]!["completed"]!.GetValue<long>());
        Assert.True(File.Exists(summary["export"]!["backbone"]!.GetValue<string>()));
        Assert.True(File.Exists(Path.Combine(job.OutputDir, TrainingRun.SpecFile)));
        Assert.Equal(6, File.ReadLines(Path.Combine(job.OutputDir, "metrics.jsonl")).Count());
        Assert.Equal(6, RunCheckpoint.Latest(job.OutputDir)!.Iteration);

        var metrics = await host.Http.GetStringAsync("/metrics");
        Assert.Contains("trainer_jobs{state=\"succeeded\"} 1\n", metrics);
        Assert.Contains("trainer_jobs{state=\"queued\"} 0\n", metrics);
    }

    [Fact]
    public async Task A_running_job_cancelled_stops_at_a_step_boundary_and_cannot_be_resumed()
    {
        await using var host = await TrainerHost.StartAsync();
        var job = await host.Client.SubmitJobAsync(Pretrain(steps: 2000, checkpointEvery: 10));
        using var watch = await JobWatcher.OpenAsync(host.Client, job.Id);
        Assert.True(await watch.UntilAsync(e => JobWatcher.IsStepAtLeast(e, 2)));
        var metrics = await host.Http.GetStringAsync("/metrics");
        Assert.Contains("trainer_jobs{state=\"running\"} 1\n", metrics);
        foreach (var series in new[] { "trainer_job_step", "trainer_steps_per_second", "trainer_images_per_second" })
            Assert.Matches($"\n{series}{{job=\"{job.Id}\"}} [0-9.e+-]+\n", metrics);
        foreach (var term in LossTerms.Append("total_loss"))
            Assert.Matches($"\ntrainer_loss{{job=\"{job.Id}\",term=\"{term}\"}} [-0-9.e+]+\n", metrics);

        var cancelling = await host.Client.CancelJobAsync(new V1.JobRef { Id = job.Id });
        // Running until its next step boundary (or, on a fast machine, already past it).
        Assert.True(cancelling is { State: V1.JobState.Running, StopRequest: V1.StopRequest.Cancel } or { State: V1.JobState.Cancelled }, cancelling.ToString());
        Assert.Equal(V1.JobState.Cancelled, await watch.ToEndAsync());

        var cancelled = await host.Client.GetJobAsync(new V1.JobRef { Id = job.Id });
        Assert.Equal((V1.JobState.Cancelled, "cancelled", V1.StopRequest.None), (cancelled.State, cancelled.Reason, cancelled.StopRequest));
        Assert.InRange(cancelled.Step, 2, 1999);
        Assert.Equal(cancelled.Step, RunCheckpoint.Latest(job.OutputDir)!.Iteration);
        Assert.Equal([V1.JobState.Queued, V1.JobState.Running, V1.JobState.Cancelled], cancelled.History.Select(h => h.State).ToArray());

        var resume = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ResumeJobAsync(new V1.JobRef { Id = job.Id }));
        Assert.Equal(StatusCode.FailedPrecondition, resume.StatusCode);
        Assert.StartsWith("job_state: ", resume.Status.Detail);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.CancelJobAsync(new V1.JobRef { Id = job.Id }));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task A_queued_job_cancelled_never_runs()
    {
        string queued = "";
        await using var host = await TrainerHost.StartAsync(beforeStart: scheduler =>
        {
            queued = scheduler.Submit(new JobSubmission(JobKind.Pretrain, TinySpecs.Pretrain(2), 0, null)).Job.Id;
            scheduler.Cancel(queued);
        });
        var job = await host.Client.GetJobAsync(new V1.JobRef { Id = queued });
        Assert.Equal(V1.JobState.Cancelled, job.State);
        Assert.Equal([V1.JobState.Queued, V1.JobState.Cancelled], job.History.Select(h => h.State).ToArray());
        // A job submitted after it runs to the end: the scheduler went past the cancelled one.
        var next = await host.Client.SubmitJobAsync(Pretrain(steps: 2));
        using var watch = await JobWatcher.OpenAsync(host.Client, next.Id);
        Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
        // Its folder holds its log only: no run ever wrote there.
        Assert.Equal([Path.Combine(job.OutputDir, JobLog.FileName)], Directory.GetFileSystemEntries(job.OutputDir));
    }

    [Fact]
    public async Task A_paused_job_releases_the_device_and_resumes_from_its_checkpoint_continuing_the_step_count()
    {
        const int Steps = 150;
        await using var host = await TrainerHost.StartAsync();
        var job = await host.Client.SubmitJobAsync(Pretrain(Steps, checkpointEvery: 10));
        long pausedAt;
        using (var watch = await JobWatcher.OpenAsync(host.Client, job.Id))
        {
            Assert.True(await watch.UntilAsync(e => JobWatcher.IsStepAtLeast(e, 3)));
            var pausing = await host.Client.PauseJobAsync(new V1.JobRef { Id = job.Id });
            Assert.True(pausing is { State: V1.JobState.Running, StopRequest: V1.StopRequest.Pause } or { State: V1.JobState.Paused }, pausing.ToString());
            Assert.True(await watch.UntilAsync(e => JobWatcher.IsState(e, V1.JobState.Paused)));
            pausedAt = watch.Events[^1].State.Step;
        }
        var paused = await host.Client.GetJobAsync(new V1.JobRef { Id = job.Id });
        Assert.Equal((V1.JobState.Paused, "paused"), (paused.State, paused.Reason));
        Assert.InRange(pausedAt, 3, Steps - 1);
        Assert.Equal(pausedAt, paused.Step);
        Assert.Equal(pausedAt, RunCheckpoint.Latest(job.OutputDir)!.Iteration);

        // The device is free: another job runs to the end while the first stays paused.
        var other = await host.Client.SubmitJobAsync(Pretrain(steps: 2));
        using (var watch = await JobWatcher.OpenAsync(host.Client, other.Id))
            Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
        Assert.Equal(V1.JobState.Paused, (await host.Client.GetJobAsync(new V1.JobRef { Id = job.Id })).State);

        using (var watch = await JobWatcher.OpenAsync(host.Client, job.Id))
        {
            var resumed = await host.Client.ResumeJobAsync(new V1.JobRef { Id = job.Id });
            Assert.Contains(resumed.State, new[] { V1.JobState.Queued, V1.JobState.Running });
            Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
            var start = watch.Progress.First(p => p.ResumedFrom.Length > 0);
            Assert.Equal(pausedAt, start.Step);
            var after = watch.Progress.Where(p => p.Losses.Count > 0).Select(p => p.Step).ToArray();
            Assert.Equal(Enumerable.Range((int)pausedAt + 1, Steps - (int)pausedAt).Select(s => (long)s).ToArray(), after);
        }
        var done = await host.Client.GetJobAsync(new V1.JobRef { Id = job.Id });
        Assert.Equal(
            [V1.JobState.Queued, V1.JobState.Running, V1.JobState.Paused, V1.JobState.Queued, V1.JobState.Running, V1.JobState.Succeeded],
            done.History.Select(h => h.State).ToArray());
        var iterations = File.ReadLines(Path.Combine(job.OutputDir, "metrics.jsonl"))
            .Select(line => JsonNode.Parse(line)!["iteration"]!.GetValue<long>()).ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(s => (long)s).ToArray(), iterations);
    }

    [Fact]
    public async Task The_same_idempotency_key_with_the_same_body_gives_the_same_job_and_with_another_body_is_refused()
    {
        await using var host = await TrainerHost.StartAsync();
        var first = await host.Client.SubmitJobAsync(Pretrain(steps: 2, key: "nightly-1"));
        var again = await host.Client.SubmitJobAsync(Pretrain(steps: 2, key: "nightly-1"));
        Assert.Equal(first.Id, again.Id);
        Assert.Equal((false, true), (first.Replayed, again.Replayed));
        Assert.False((await host.Client.GetJobAsync(new V1.JobRef { Id = first.Id })).Replayed);
        // The same spec written differently (indented, defaults spelled out) is the same body.
        var spelled = TinyRuns.Pretrain(2).With("checkpoints.every_steps", 5);
        spelled["execution"]!["data_workers"] = 2;
        spelled["checkpoints"]!["keep_last"] = 2;
        var reformatted = await host.Client.SubmitJobAsync(new V1.SubmitJobRequest
        {
            Kind = V1.JobKind.Pretrain,
            SpecJson = spelled.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
            IdempotencyKey = "nightly-1",
        });
        Assert.Equal(first.Id, reformatted.Id);

        foreach (var other in new[] { Pretrain(steps: 3, key: "nightly-1"), Pretrain(steps: 2, priority: 7, key: "nightly-1") })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.SubmitJobAsync(other));
            Assert.Equal(StatusCode.AlreadyExists, refused.StatusCode);
            Assert.StartsWith("idempotency_conflict: ", refused.Status.Detail);
            Assert.Contains(first.Id, refused.Status.Detail);
        }
        var fresh = await host.Client.SubmitJobAsync(Pretrain(steps: 2, key: "nightly-2"));
        Assert.NotEqual(first.Id, fresh.Id);
        var withoutKey = await host.Client.SubmitJobAsync(Pretrain(steps: 2));
        Assert.NotEqual(first.Id, withoutKey.Id);
        Assert.Equal(3, (await host.Client.ListJobsAsync(new V1.ListJobsRequest())).Jobs.Count);
    }

    public static TheoryData<V1.JobKind, string, StatusCode, string> BadSubmissions() => new()
    {
        { V1.JobKind.Pretrain, TinyRuns.Pretrain(2).With("optim", new JsonObject { ["stepz"] = 3 }).ToJsonString(), StatusCode.InvalidArgument, "invalid_spec: unknown field 'optim.stepz'" },
        { V1.JobKind.Pretrain, TinyRuns.Pretrain(2).With("batch_size", 0).ToJsonString(), StatusCode.InvalidArgument, "batch_size" },
        { V1.JobKind.Pretrain, TinyRuns.Pretrain(2).With("data", new JsonObject { ["train"] = "no/such/folder" }).ToJsonString(), StatusCode.InvalidArgument, "data.train: dataset_missing" },
        { V1.JobKind.Pretrain, TinyRuns.Pretrain(2).With("execution.device", "cuda:999").ToJsonString(), StatusCode.InvalidArgument, "invalid_spec: execution.device: device 'cuda:999' requested but " },
        { V1.JobKind.Distill, TinySpecs.Pretrain(2), StatusCode.InvalidArgument, "kind" },
        { V1.JobKind.Pretrain, "", StatusCode.InvalidArgument, "invalid_spec: spec_json" },
        { V1.JobKind.Pretrain, "{not json", StatusCode.InvalidArgument, "invalid_spec: not valid JSON" },
        { V1.JobKind.Unspecified, TinySpecs.Pretrain(2), StatusCode.InvalidArgument, "invalid_argument: kind" },
        { V1.JobKind.EvalKnn, TinySpecs.Pretrain(2), StatusCode.InvalidArgument, "invalid_spec: unknown field 'seed'" },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task A_bad_submission_is_refused_naming_the_field_and_nothing_is_queued(V1.JobKind kind, string spec, StatusCode status, string text)
    {
        await using var host = await TrainerHost.StartAsync();
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = kind, SpecJson = spec }));
        Assert.Equal(status, refused.StatusCode);
        Assert.Contains(text, refused.Status.Detail);
        Assert.Empty((await host.Client.ListJobsAsync(new V1.ListJobsRequest())).Jobs);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(host.DataDirectory, "jobs")));
    }

    [Fact]
    public async Task An_unknown_job_is_not_found()
    {
        await using var host = await TrainerHost.StartAsync();
        foreach (var call in new Func<V1.JobRef, Task>[]
        {
            async r => await host.Client.GetJobAsync(r), async r => await host.Client.CancelJobAsync(r),
            async r => await host.Client.PauseJobAsync(r), async r => await host.Client.ResumeJobAsync(r),
        })
        {
            var missing = await Assert.ThrowsAsync<RpcException>(() => call(new V1.JobRef { Id = "job-nope" }));
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
            Assert.Equal("job_not_found: there is no job 'job-nope'", missing.Status.Detail);
        }
        using var watch = host.Client.WatchJob(new V1.JobRef { Id = "job-nope" });
        var watched = await Assert.ThrowsAsync<RpcException>(async () => await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, watched.StatusCode);
    }

    [Fact]
    public async Task Jobs_are_listed_newest_first_in_pages_and_filtered_by_state_and_kind()
    {
        var ids = new List<string>();
        await using var host = await TrainerHost.StartAsync(beforeStart: scheduler =>
        {
            for (var i = 0; i < 5; i++)
                ids.Add(scheduler.Submit(new JobSubmission(JobKind.Pretrain, TinySpecs.Pretrain(2), 0, null)).Job.Id);
            scheduler.Pause(ids[1]);
            scheduler.Pause(ids[3]);
        });
        foreach (var id in new[] { ids[0], ids[2], ids[4] })
        {
            using var watch = await JobWatcher.OpenAsync(host.Client, id);
            Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
        }

        var listed = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await host.Client.ListJobsAsync(new V1.ListJobsRequest { PageSize = 2, PageToken = token });
            Assert.InRange(page.Jobs.Count, 1, 2);
            Assert.All(page.Jobs, j => Assert.Empty(j.History));
            listed.AddRange(page.Jobs.Select(j => j.Id));
            token = page.NextPageToken;
            pages++;
        } while (token.Length > 0);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(ids).ToArray(), listed.ToArray());

        var pausedRequest = new V1.ListJobsRequest { States = { V1.JobState.Paused } };
        Assert.Equal([ids[3], ids[1]], (await host.Client.ListJobsAsync(pausedRequest)).Jobs.Select(j => j.Id).ToArray());
        var succeededPretrain = new V1.ListJobsRequest { States = { V1.JobState.Succeeded, V1.JobState.Failed }, Kinds = { V1.JobKind.Pretrain } };
        Assert.Equal(3, (await host.Client.ListJobsAsync(succeededPretrain)).Jobs.Count);
        Assert.Empty((await host.Client.ListJobsAsync(new V1.ListJobsRequest { Kinds = { V1.JobKind.Distill } })).Jobs);

        foreach (var bad in new[] { new V1.ListJobsRequest { PageToken = "abc" }, new V1.ListJobsRequest { PageSize = 501 } })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ListJobsAsync(bad));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        }
    }

    [Fact]
    public async Task Queued_jobs_run_by_priority_then_in_submission_order()
    {
        var ids = new Dictionary<string, string>();
        await using var host = await TrainerHost.StartAsync(beforeStart: scheduler =>
        {
            foreach (var (name, priority) in new[] { ("low", 0), ("high", 5), ("high-later", 5), ("middle", 1) })
                ids[name] = scheduler.Submit(new JobSubmission(JobKind.Pretrain, TinySpecs.Pretrain(2), priority, null)).Job.Id;
        });
        var started = new Dictionary<string, DateTimeOffset>();
        foreach (var (name, id) in ids)
        {
            using var watch = await JobWatcher.OpenAsync(host.Client, id);
            Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
            var job = await host.Client.GetJobAsync(new V1.JobRef { Id = id });
            started[name] = job.History.First(h => h.State == V1.JobState.Running).At.ToDateTimeOffset();
        }
        Assert.Equal(["high", "high-later", "middle", "low"], started.OrderBy(s => s.Value).Select(s => s.Key).ToArray());
    }
}
