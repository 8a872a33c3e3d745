using System.Text.Json.Nodes;
using EmbeddingService.Trainer.Jobs;
using EmbeddingService.Training.Tests.Runs;
using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>What a job leaves behind, over gRPC: its metrics series, its log, its artifacts and their download.</summary>
public sealed class JobResultsTests
{
    private static async Task<V1.Job> RunToSuccessAsync(TrainerHost host, int steps, int checkpointEvery)
    {
        var job = await host.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = V1.JobKind.Pretrain, SpecJson = TinySpecs.Pretrain(steps, checkpointEvery) });
        using var watch = await JobWatcher.OpenAsync(host.Client, job.Id);
        Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
        return job;
    }

    [Fact]
    public async Task A_finished_job_serves_its_metrics_its_log_and_its_artifacts()
    {
        await using var host = await TrainerHost.StartAsync();
        var job = await RunToSuccessAsync(host, steps: 6, checkpointEvery: 3);

        var all = await host.Client.GetJobMetricsAsync(new V1.JobMetricsRequest { Id = job.Id });
        Assert.Equal([0L, 1, 2, 3, 4, 5], all.RecordsJson.Select(Iteration).ToArray());
        Assert.Equal(6, all.NextFromStep);
        Assert.All(all.RecordsJson, r => Assert.True(JsonNode.Parse(r)!["losses"]!["dino_local_crops_loss"] is not null, r));
        var page = await host.Client.GetJobMetricsAsync(new V1.JobMetricsRequest { Id = job.Id, FromStep = 2, Limit = 3 });
        Assert.Equal([2L, 3, 4], page.RecordsJson.Select(Iteration).ToArray());
        Assert.Equal(5, page.NextFromStep);
        var past = await host.Client.GetJobMetricsAsync(new V1.JobMetricsRequest { Id = job.Id, FromStep = 6 });
        Assert.Empty(past.RecordsJson);
        Assert.Equal(6, past.NextFromStep);

        var log = await host.Client.GetJobLogsAsync(new V1.JobLogsRequest { Id = job.Id });
        Assert.Equal(Enumerable.Range(1, log.Lines.Count).Select(n => (long)n).ToArray(), log.Lines.Select(l => l.Number).ToArray());
        Assert.Equal(log.Lines.Count, log.NextAfterLine);
        var messages = log.Lines.Select(l => l.Message).ToList();
        Assert.StartsWith("queued (submitted)", messages[0]);
        Assert.StartsWith("running (started)", messages[1]);
        Assert.Equal("starts: 6 steps", messages[2]);
        Assert.Single(messages, m => m.StartsWith("checkpoint at step 3: ", StringComparison.Ordinal));
        Assert.Single(messages, m => m.StartsWith("checkpoint at step 6: ", StringComparison.Ordinal));
        Assert.Single(messages, m => m.StartsWith($"model {job.Id} registered: sha256:", StringComparison.Ordinal));
        Assert.StartsWith("succeeded (completed)", messages[^1]);
        // A tiny run's collapse indicators warn (warning level); everything else informs.
        Assert.All(log.Lines, l => Assert.Equal(l.Message.StartsWith("step ", StringComparison.Ordinal) ? "warning" : "information", l.Level));
        var logPage = await host.Client.GetJobLogsAsync(new V1.JobLogsRequest { Id = job.Id, AfterLine = 2, Limit = 2 });
        Assert.Equal([3L, 4], logPage.Lines.Select(l => l.Number).ToArray());
        Assert.Equal(4, logPage.NextAfterLine);

        var artifacts = (await host.Client.ListArtifactsAsync(new V1.JobRef { Id = job.Id })).Artifacts;
        var byPath = artifacts.ToDictionary(a => a.Path);
        foreach (var (path, kind) in new[]
        {
            ("spec.json", "spec"), ("summary.json", "summary"), ("metrics.jsonl", "metrics"), ("job.log", "log"),
            ("export/backbone.safetensors", "model"), ("export/config.json", "model"), ("export/teacher_checkpoint.pth", "model"),
        })
            Assert.Equal(kind, byPath[path].Kind);
        Assert.Equal(2, artifacts.Count(a => a.Kind == "checkpoint" && a.Path.StartsWith("checkpoints/", StringComparison.Ordinal)));
        Assert.All(artifacts, a => Assert.Equal(new FileInfo(Path.Combine(job.OutputDir, a.Path)).Length, a.SizeBytes));

        var backbone = Path.Combine(job.OutputDir, "export", "backbone.safetensors");
        var (bytes, chunks) = await Downloads.ReadAsync(host.Client.DownloadArtifact(new V1.ArtifactRef { JobId = job.Id, Path = "export/backbone.safetensors" }));
        Assert.Equal(await File.ReadAllBytesAsync(backbone), bytes);
        Assert.Equal(bytes.Length, chunks[0].TotalBytes);
        Assert.True(chunks.Count > 1, "a backbone of a few hundred KiB comes in several chunks");
        Assert.All(chunks, c => Assert.InRange(c.Data.Length, 1, 64 * 1024));
    }

    [Fact]
    public async Task A_failed_job_logs_its_failure_as_an_error()
    {
        using var images = LabelledImages.Create();
        string id = "";
        await using var host = await TrainerHost.StartAsync(dataRoot: images.Root, beforeStart: scheduler =>
        {
            id = scheduler.Submit(new JobSubmission(JobKind.Pretrain, TinyRuns.Pretrain(2).With("data.train", LabelledImages.Train).ToJsonString(), 0, null)).Job.Id;
            // The data goes away between the submission and the run.
            Directory.Delete(Path.Combine(images.Root, LabelledImages.Train), recursive: true);
        });
        using (var watch = await JobWatcher.OpenAsync(host.Client, id))
            Assert.Equal(V1.JobState.Failed, await watch.ToEndAsync());
        var last = (await host.Client.GetJobLogsAsync(new V1.JobLogsRequest { Id = id })).Lines[^1];
        Assert.Equal("error", last.Level);
        Assert.StartsWith("failed (dataset_missing): dataset_missing: ", last.Message);
    }

    [Fact]
    public async Task A_download_never_leaves_the_job_folder()
    {
        await using var host = await TrainerHost.StartAsync();
        var job = await RunToSuccessAsync(host, steps: 2, checkpointEvery: 2);
        var outside = Path.Combine(host.DataDirectory, "secret");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "key.safetensors"), "not yours");
        // A linked file and a linked folder where artifacts live, both leading out of the job's folder.
        File.CreateSymbolicLink(Path.Combine(job.OutputDir, "export", "leak.safetensors"), Path.Combine(outside, "key.safetensors"));
        Directory.CreateSymbolicLink(Path.Combine(job.OutputDir, "checkpoints", "escape"), outside);

        foreach (var path in new[] { "../../jobs.db", "/etc/passwd", "export/../../../jobs.db", "export//backbone.safetensors", "./spec.json", "" })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => Downloads.ReadAsync(host.Client.DownloadArtifact(new V1.ArtifactRef { JobId = job.Id, Path = path })));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.StartsWith("invalid_argument: path", refused.Status.Detail);
        }
        foreach (var path in new[] { "export/leak.safetensors", "checkpoints/escape/key.safetensors", "worker.lock", "export/none.safetensors" })
        {
            var missing = await Assert.ThrowsAsync<RpcException>(() => Downloads.ReadAsync(host.Client.DownloadArtifact(new V1.ArtifactRef { JobId = job.Id, Path = path })));
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
            Assert.StartsWith("artifact_not_found: ", missing.Status.Detail);
        }
        var listed = (await host.Client.ListArtifactsAsync(new V1.JobRef { Id = job.Id })).Artifacts.Select(a => a.Path).ToList();
        Assert.DoesNotContain(listed, p => p.Contains("leak", StringComparison.Ordinal) || p.Contains("escape", StringComparison.Ordinal));

        var noJob = await Assert.ThrowsAsync<RpcException>(() => Downloads.ReadAsync(host.Client.DownloadArtifact(new V1.ArtifactRef { JobId = "job-nope", Path = "spec.json" })));
        Assert.Equal(StatusCode.NotFound, noJob.StatusCode);
        Assert.StartsWith("job_not_found: ", noJob.Status.Detail);
    }

    [Fact]
    public async Task Bad_pages_are_refused_naming_the_field()
    {
        await using var host = await TrainerHost.StartAsync();
        var job = await host.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = V1.JobKind.Pretrain, SpecJson = TinySpecs.Pretrain(2) });
        foreach (var (call, field) in new (Func<Task>, string)[]
        {
            (async () => await host.Client.GetJobMetricsAsync(new V1.JobMetricsRequest { Id = job.Id, Limit = 10_001 }), "limit"),
            (async () => await host.Client.GetJobMetricsAsync(new V1.JobMetricsRequest { Id = job.Id, FromStep = -1 }), "from_step"),
            (async () => await host.Client.GetJobLogsAsync(new V1.JobLogsRequest { Id = job.Id, Limit = -1 }), "limit"),
            (async () => await host.Client.GetJobLogsAsync(new V1.JobLogsRequest { Id = job.Id, AfterLine = -3 }), "after_line"),
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.StartsWith($"invalid_argument: {field}: ", refused.Status.Detail);
        }
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.GetJobLogsAsync(new V1.JobLogsRequest { Id = "job-nope" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    private static long Iteration(string record) => JsonNode.Parse(record)!["iteration"]!.GetValue<long>();
}
