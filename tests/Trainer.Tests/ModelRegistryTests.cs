using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Trainer.Jobs;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Training.Runs;
using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>The model registry over gRPC: every succeeded training job's export, activation (persisted, watched, rolled back) and weights download.</summary>
public sealed class ModelRegistryTests
{
    private static async Task<V1.Job> TrainAsync(TrainerHost host)
    {
        var job = await host.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = V1.JobKind.Pretrain, SpecJson = TinySpecs.Pretrain(2) });
        using var watch = await JobWatcher.OpenAsync(host.Client, job.Id);
        Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
        return job;
    }

    [Fact]
    public async Task A_succeeded_job_is_a_model_whose_activation_is_watched_and_survives_a_restart()
    {
        var data = TinySpecs.TempDir();
        V1.Job first, second;
        await using (var host = await TrainerHost.StartAsync(data))
        {
            first = await TrainAsync(host);
            var listed = await host.Client.ListModelsAsync(new V1.ListModelsRequest());
            var model = Assert.Single(listed.Models);
            var export = Path.Combine(first.OutputDir, RunExport.Folder);
            var summary = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(first.OutputDir, TrainingRun.SummaryFile)))!;
            Assert.Equal((first.Id, first.Id, V1.JobKind.Pretrain), (model.Id, model.SourceJobId, model.SourceKind));
            Assert.Equal(CheckpointLoader.Fingerprint(Path.Combine(export, "backbone.safetensors")), model.Fingerprint);
            Assert.Equal(summary["weights_fingerprint"]!.GetValue<string>(), model.Fingerprint);
            Assert.Equal("custom", model.Architecture);
            Assert.Equal(32, JsonNode.Parse(model.ConfigJson)!["embed_dim"]!.GetValue<int>());
            Assert.Equal(["backbone.safetensors", "config.json"], model.Files.ToArray());
            Assert.Equal(model.Files.Sum(f => new FileInfo(Path.Combine(export, f)).Length), model.SizeBytes);
            Assert.Empty(model.Knn);
            Assert.False(model.Active);
            Assert.Equal((0L, null), (listed.Active.Generation, listed.Active.Model));

            using var watch = host.Client.WatchActiveModel(new V1.WatchActiveModelRequest());
            var seen = watch.ResponseStream;
            Assert.True(await seen.MoveNext(CancellationToken.None));
            Assert.Equal((0L, null), (seen.Current.Generation, seen.Current.Model));

            var activated = await host.Client.ActivateModelAsync(new V1.ModelRef { Id = first.Id });
            Assert.Equal((1L, first.Id, true), (activated.Generation, activated.Model.Id, activated.Model.Active));
            Assert.True(await seen.MoveNext(CancellationToken.None));
            Assert.Equal((1L, first.Id), (seen.Current.Generation, seen.Current.Model.Id));

            second = await TrainAsync(host);
            Assert.Equal(2, (await host.Client.ActivateModelAsync(new V1.ModelRef { Id = second.Id })).Generation);
            Assert.True(await seen.MoveNext(CancellationToken.None));
            Assert.Equal((2L, second.Id), (seen.Current.Generation, seen.Current.Model.Id));
            var cleared = await host.Client.ActivateModelAsync(new V1.ModelRef { Id = "configured" });
            Assert.Equal((3L, null), (cleared.Generation, cleared.Model));
            Assert.True(await seen.MoveNext(CancellationToken.None));
            Assert.Equal((3L, null), (seen.Current.Generation, seen.Current.Model));
            // The rollback: the previous model activated again.
            Assert.Equal(4, (await host.Client.ActivateModelAsync(new V1.ModelRef { Id = first.Id })).Generation);
            Assert.True(await seen.MoveNext(CancellationToken.None));
            Assert.Equal((4L, first.Id), (seen.Current.Generation, seen.Current.Model.Id));
            Assert.Contains("\ntrainer_active_model_generation 4\n", await host.Http.GetStringAsync("/metrics"));

            var unknown = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ActivateModelAsync(new V1.ModelRef { Id = "job-nope" }));
            Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
            Assert.StartsWith("model_not_found: ", unknown.Status.Detail);
        }

        await using (var restarted = await TrainerHost.StartAsync(data))
        {
            var listed = await restarted.Client.ListModelsAsync(new V1.ListModelsRequest());
            Assert.Equal([second.Id, first.Id], listed.Models.Select(m => m.Id).ToArray());
            Assert.Equal((4L, first.Id), (listed.Active.Generation, listed.Active.Model.Id));
            Assert.Equal([false, true], listed.Models.Select(m => m.Active).ToArray());
            Assert.True((await restarted.Client.GetModelAsync(new V1.ModelRef { Id = first.Id })).Active);
            using var watch = restarted.Client.WatchActiveModel(new V1.WatchActiveModelRequest());
            Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal((4L, first.Id), (watch.ResponseStream.Current.Generation, watch.ResponseStream.Current.Model.Id));
        }
    }

    [Fact]
    public async Task A_model_file_downloads_byte_for_byte_and_nothing_else_does()
    {
        await using var host = await TrainerHost.StartAsync();
        var job = await TrainAsync(host);
        foreach (var file in new[] { "backbone.safetensors", "config.json" })
        {
            var (bytes, chunks) = await Downloads.ReadAsync(host.Client.DownloadModel(new V1.ModelFileRef { ModelId = job.Id, File = file }));
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(job.OutputDir, RunExport.Folder, file)), bytes);
            Assert.Equal(bytes.Length, chunks[0].TotalBytes);
        }
        foreach (var file in new[] { "teacher_checkpoint.pth", "../summary.json", "" })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => Downloads.ReadAsync(host.Client.DownloadModel(new V1.ModelFileRef { ModelId = job.Id, File = file })));
            Assert.Equal(StatusCode.NotFound, refused.StatusCode);
            Assert.StartsWith("artifact_not_found: file: ", refused.Status.Detail);
        }
        var noModel = await Assert.ThrowsAsync<RpcException>(() => Downloads.ReadAsync(host.Client.DownloadModel(new V1.ModelFileRef { ModelId = "job-nope", File = "config.json" })));
        Assert.Equal(StatusCode.NotFound, noModel.StatusCode);
        Assert.StartsWith("model_not_found: ", noModel.Status.Detail);
        var get = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.GetModelAsync(new V1.ModelRef { Id = "job-nope" }));
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Open_watches_end_when_the_worker_stops_instead_of_holding_its_shutdown()
    {
        string paused = "";
        var host = await TrainerHost.StartAsync(beforeStart: scheduler =>
        {
            paused = scheduler.Submit(new JobSubmission(JobKind.Pretrain, TinySpecs.Pretrain(2), 0, null)).Job.Id;
            scheduler.Pause(paused);
        });
        try
        {
            using var models = host.Client.WatchActiveModel(new V1.WatchActiveModelRequest());
            Assert.True(await models.ResponseStream.MoveNext(CancellationToken.None));
            using var job = await JobWatcher.OpenAsync(host.Client, paused);
            var clock = Stopwatch.StartNew();
            var stopping = host.App.StopAsync();
            Assert.False(await models.ResponseStream.MoveNext(CancellationToken.None));
            await stopping;
            // Trainer:ShutdownTimeoutSeconds is 120: a shutdown held by the watches would take that long.
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
            Assert.Equal(V1.JobState.Paused, job.States.Last());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
