using System.Text.Json.Nodes;
using EmbeddingService.Training.Tests.Runs;
using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>Trainer:DataRoot: every path of a submitted spec resolves inside it, or the job is refused and nothing is queued.</summary>
public sealed class DataRootTests : IDisposable
{
    private readonly string _base = TinySpecs.TempDir();
    private readonly string _root;
    private readonly string _outside;

    public DataRootTests()
    {
        _root = Path.Combine(_base, "root");
        _outside = Path.Combine(_base, "outside");
        using var images = LabelledImages.Create();
        CopyFolder(images.Root, Path.Combine(_root, "sets", "nested"));
        CopyFolder(images.Root, _outside);
        // A link inside the root whose target is outside it.
        Directory.CreateSymbolicLink(Path.Combine(_root, "linked"), _outside);
    }

    public static TheoryData<V1.JobKind, string, string> Escapes() => new()
    {
        { V1.JobKind.Pretrain, "data.train", "../outside/eval/train" },
        { V1.JobKind.Pretrain, "evaluation.train", "sets/../../outside/eval/train" },
        { V1.JobKind.Pretrain, "data.train", "{outside}/eval/train" },
        { V1.JobKind.Pretrain, "data.train", "/etc" },
        { V1.JobKind.Pretrain, "data.train", "linked/eval/train" },
        { V1.JobKind.Pretrain, "model.init", "linked/model.safetensors" },
        { V1.JobKind.Distill, "distillation.teacher", "../teacher.pth" },
        { V1.JobKind.EvalKnn, "weights", "{outside}/backbone.safetensors" },
        { V1.JobKind.EvalKnn, "evaluation.val", "linked/eval/val" },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task A_spec_path_outside_the_data_root_is_refused_and_nothing_is_queued(V1.JobKind kind, string field, string path)
    {
        await using var host = await TrainerHost.StartAsync(dataRoot: _root);
        var value = path.Replace("{outside}", _outside, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = kind, SpecJson = Spec(kind).With(field, value).ToJsonString() }));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith($"path_outside_data_root: {field}: '{value}' resolves to ", refused.Status.Detail);
        Assert.Empty((await host.Client.ListJobsAsync(new V1.ListJobsRequest())).Jobs);
    }

    [Fact]
    public async Task A_nested_path_inside_the_data_root_is_accepted_and_stored_resolved()
    {
        await using var host = await TrainerHost.StartAsync(dataRoot: _root);
        var spec = Spec(V1.JobKind.Pretrain).With("data.train", "sets/nested/eval/train")
            .With("evaluation", new JsonObject { ["train"] = "sets/./nested/eval/../eval/train", ["val"] = Path.Combine(_root, "sets/nested/eval/val"), ["k"] = new JsonArray(3) });
        var job = await host.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = V1.JobKind.Pretrain, SpecJson = spec.ToJsonString() });
        var stored = JsonNode.Parse(job.SpecJson)!;
        var train = Path.Combine(_root, "sets", "nested", "eval", "train");
        Assert.Equal(train, stored["data"]!["train"]!.GetValue<string>());
        Assert.Equal(train, stored["evaluation"]!["train"]!.GetValue<string>());
        Assert.Equal(Path.Combine(_root, "sets", "nested", "eval", "val"), stored["evaluation"]!["val"]!.GetValue<string>());
        using var watch = await JobWatcher.OpenAsync(host.Client, job.Id);
        Assert.Equal(V1.JobState.Succeeded, await watch.ToEndAsync());
    }

    private static JsonObject Spec(V1.JobKind kind) => kind switch
    {
        V1.JobKind.Pretrain => TinyRuns.Pretrain(2),
        V1.JobKind.Distill => TinyRuns.Distill("teacher.pth"),
        _ => new JsonObject { ["model"] = "job-x", ["evaluation"] = new JsonObject { ["train"] = LabelledImages.Train, ["val"] = LabelledImages.Val } },
    };

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);
}
