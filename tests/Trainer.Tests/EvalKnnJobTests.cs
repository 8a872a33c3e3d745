using System.Text.Json.Nodes;
using EmbeddingService.Trainer.Jobs;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Tests.Runs;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>eval-knn jobs: the official kNN of a registered model (or weights under the data root) on labelled folders.</summary>
public sealed class EvalKnnJobTests
{
    private static readonly JsonObject Evaluation = new()
    {
        ["train"] = LabelledImages.Train, ["val"] = LabelledImages.Val, ["k"] = new JsonArray(1, 3), ["resolution"] = 56,
    };

    private static string EvalKnn(string? model = null, string? weights = null, JsonObject? evaluation = null, string? device = null)
    {
        var spec = new JsonObject
        {
            ["kind"] = "eval-knn",
            ["model"] = model,
            ["weights"] = weights,
            ["evaluation"] = (evaluation ?? Evaluation).DeepClone(),
            ["threads"] = 1,
        };
        if (device is not null) spec["device"] = device;
        return spec.ToJsonString();
    }

    private static async Task<V1.Job> RunAsync(TrainerHost host, V1.JobKind kind, string spec, List<V1.JobEvent>? events = null)
    {
        var job = await host.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = kind, SpecJson = spec });
        using var watch = await JobWatcher.OpenAsync(host.Client, job.Id);
        Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
        events?.AddRange(watch.Events);
        return await host.Client.GetJobAsync(new V1.JobRef { Id = job.Id });
    }

    [Fact]
    public async Task An_eval_knn_job_reproduces_the_runs_own_evaluation_and_updates_the_models_knn()
    {
        using var images = LabelledImages.Create();
        await using var host = await TrainerHost.StartAsync(dataRoot: images.Root);
        // Relative evaluation folders: under the data root.
        var trained = await RunAsync(host, V1.JobKind.Pretrain, TinyRuns.Pretrain(2)
            .With("evaluation", new JsonObject { ["train"] = LabelledImages.Train, ["val"] = LabelledImages.Val, ["k"] = new JsonArray(3) }).ToJsonString());
        var model = await host.Client.GetModelAsync(new V1.ModelRef { Id = trained.Id });
        Assert.Contains("knn/k3/top1", model.Knn.Keys);

        var events = new List<V1.JobEvent>();
        var job = await RunAsync(host, V1.JobKind.EvalKnn, EvalKnn(model: trained.Id), events);
        Assert.Equal((V1.JobKind.EvalKnn, "completed", 1L, 1L), (job.Kind, job.Reason, job.Step, job.TotalSteps));
        var evaluation = Assert.Single(events, e => e.EventCase == V1.JobEvent.EventOneofCase.Evaluation).Evaluation;
        Assert.Equal(["knn/k1/top1", "knn/k3/top1"], evaluation.Results.Keys.Order().ToArray());
        // The same backbone, folders and center crop as the run's last evaluation: the same result.
        Assert.Equal(model.Knn["knn/k3/top1"], evaluation.Results["knn/k3/top1"], 9);

        var summary = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(job.OutputDir, TrainingRun.SummaryFile)))!;
        Assert.Equal("completed", summary["status"]!.GetValue<string>());
        Assert.Equal(model.Fingerprint, summary["model"]!["weights_fingerprint"]!.GetValue<string>());
        Assert.Equal(evaluation.Results["knn/k1/top1"], summary["evaluation"]!["knn/k1/top1"]!.GetValue<double>());
        var updated = await host.Client.GetModelAsync(new V1.ModelRef { Id = trained.Id });
        Assert.Equal(evaluation.Results.OrderBy(r => r.Key), updated.Knn.OrderBy(r => r.Key));
        var logs = (await host.Client.GetJobLogsAsync(new V1.JobLogsRequest { Id = job.Id })).Lines.Select(l => l.Message).ToList();
        Assert.Contains(logs, m => m.StartsWith("evaluation at step 0: knn/k1/top1 = ", StringComparison.Ordinal));
        Assert.Contains($"model {trained.Id}: kNN results updated", logs);
        Assert.Single((await host.Client.GetJobMetricsAsync(new V1.JobMetricsRequest { Id = job.Id })).RecordsJson);

        // The same model named by its weights file instead (copied under the data root): evaluated, no model updated.
        var weights = Path.Combine(images.Root, "weights");
        Directory.CreateDirectory(weights);
        foreach (var file in new[] { "backbone.safetensors", "config.json" })
            File.Copy(Path.Combine(trained.OutputDir, RunExport.Folder, file), Path.Combine(weights, file));
        var byWeights = await RunAsync(host, V1.JobKind.EvalKnn, EvalKnn(weights: "weights/backbone.safetensors"));
        var byWeightsSummary = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(byWeights.OutputDir, TrainingRun.SummaryFile)))!;
        Assert.Equal(evaluation.Results["knn/k3/top1"], byWeightsSummary["evaluation"]!["knn/k3/top1"]!.GetValue<double>());
        Assert.Equal(Path.Combine(weights, "backbone.safetensors"), JsonNode.Parse(byWeights.SpecJson)!["weights"]!.GetValue<string>());
    }

    public static TheoryData<string, StatusCode, string> BadSpecs() => new()
    {
        { EvalKnn(), StatusCode.InvalidArgument, "invalid_spec: model: name the model to evaluate" },
        { EvalKnn(model: "job-x", weights: "w.safetensors"), StatusCode.InvalidArgument, "invalid_spec: model: name the model to evaluate" },
        { EvalKnn(model: "job-nope"), StatusCode.NotFound, "model_not_found: model: there is no model 'job-nope'" },
        { EvalKnn(weights: "missing.safetensors"), StatusCode.InvalidArgument, "invalid_spec: weights: must be an existing checkpoint" },
        { EvalKnn(model: "job-x", evaluation: new JsonObject { ["train"] = LabelledImages.Train }), StatusCode.InvalidArgument, "evaluation.val: is required" },
        { EvalKnn(model: "job-x", evaluation: Evaluation.With("every_steps", 5)), StatusCode.InvalidArgument, "evaluation.every_steps: is only for training runs" },
        { EvalKnn(model: "job-x", evaluation: Evaluation.With("k", new JsonArray(0))), StatusCode.InvalidArgument, "evaluation.k: must be a non-empty list" },
        { EvalKnn(model: "job-x", evaluation: Evaluation.With("train", "eval/nothing")), StatusCode.InvalidArgument, "evaluation: dataset_missing" },
        { EvalKnn(model: "job-x", device: "tpu"), StatusCode.InvalidArgument, "invalid_spec: device: must be auto, cpu, cuda or cuda:N, not 'tpu'" },
        { EvalKnn(model: "job-x", device: "cuda:999"), StatusCode.InvalidArgument, "invalid_spec: device: device 'cuda:999' requested but " },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task A_bad_eval_knn_spec_is_refused_naming_the_field(string spec, StatusCode status, string text)
    {
        using var images = LabelledImages.Create();
        await using var host = await TrainerHost.StartAsync(dataRoot: images.Root);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = V1.JobKind.EvalKnn, SpecJson = spec }));
        Assert.Equal(status, refused.StatusCode);
        Assert.Contains(text, refused.Status.Detail);
        Assert.Empty((await host.Client.ListJobsAsync(new V1.ListJobsRequest())).Jobs);
    }

    [Fact]
    public async Task A_cancelled_eval_knn_run_stops_before_its_results()
    {
        using var images = LabelledImages.Create();
        await using var host = await TrainerHost.StartAsync(dataRoot: images.Root);
        var trained = await RunAsync(host, V1.JobKind.Pretrain, TinySpecs.Pretrain(2));
        var folder = Path.Combine(host.DataDirectory, "jobs", "job-cancelled");
        var job = new JobRecord
        {
            Id = "job-cancelled",
            Kind = JobKind.EvalKnn,
            Spec = EvalKnn(model: trained.Id).Replace(LabelledImages.Train, Path.Combine(images.Root, LabelledImages.Train), StringComparison.Ordinal)
                .Replace(LabelledImages.Val, Path.Combine(images.Root, LabelledImages.Val), StringComparison.Ordinal),
            SpecHash = "sha256:x",
            Priority = 0,
            State = JobState.Running,
            Reason = "started",
            Message = "running",
            OutputDirectory = folder,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        var outcome = host.App.Services.GetRequiredService<JobRunner>().Run(job, new CancellationToken(canceled: true));
        Assert.Equal((RunStatus.Cancelled, JobState.Cancelled), (outcome.Status, outcome.End(StopRequest.Cancel).State));
        // Paused, it has no checkpoint to continue from: it says so.
        Assert.Equal((JobState.Paused, "paused by request; resume runs it again from its start"),
            (outcome.End(StopRequest.Pause).State, outcome.End(StopRequest.Pause).Message));
        Assert.False(File.Exists(Path.Combine(folder, TrainingRun.SummaryFile)));
        Assert.Empty((await host.Client.GetModelAsync(new V1.ModelRef { Id = trained.Id })).Knn);
    }
}
