using System.Text.Json.Nodes;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Tests.Data;

namespace EmbeddingService.Training.Tests.Runs;

public sealed class ImageFolderRunTests
{
    [Fact]
    public void A_run_reads_an_image_folder_and_reports_its_knn_evaluation_and_data_counts()
    {
        using var images = LabelledFolder();
        images.Corrupt("train/b/broken.png");
        var json = TinyRuns.Pretrain(steps: 4)
            .With("data.train", images.Root + "/train")
            .With("evaluation", new JsonObject { ["train"] = images.Root + "/train", ["val"] = images.Root + "/val", ["k"] = new JsonArray(1, 3), ["at_start"] = true });
        var spec = TinyRuns.Spec(json);
        var output = TinyRuns.TempDir();

        var result = TrainingRun.Execute(spec, new RunContext
        {
            OutputDirectory = output,
            Batches = RunInputs.BatchesFor(spec),
            Evaluation = RunInputs.EvaluationFor(spec),
        }, CancellationToken.None);

        Assert.Equal(RunStatus.Completed, result.Status);
        // Two classes: top-5 is not defined (the official evaluation reports it from 5 classes on).
        Assert.Equal(["knn/k1/top1", "knn/k3/top1"], result.Evaluation.Keys.Order());
        Assert.All(result.Evaluation.Values, v => Assert.InRange(v, 0, 1));
        var data = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "summary.json")))!["data"]!.AsObject();
        Assert.Equal(13, (long)data["images_found"]!);
        Assert.Equal(2, (long)data["classes"]!);
        Assert.Equal(1, (long)data["unreadable_files"]!);
        var byIteration = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "summary.json")))!["evaluations_by_iteration"]!.AsObject();
        Assert.Equal(["0", "4"], byIteration.Select(e => e.Key));
    }

    [Fact]
    public void A_missing_training_folder_or_an_unlabelled_evaluation_set_fails_before_any_model_is_built()
    {
        using var images = LabelledFolder();
        images.Pattern("unlabelled/root.png", 1);
        var missing = TinyRuns.Spec(TinyRuns.Pretrain().With("data.train", images.Root + "/nowhere"));
        Assert.Equal("dataset_missing", Assert.Throws<DatasetException>(() => RunInputs.BatchesFor(missing)).Reason);

        var unlabelled = TinyRuns.Spec(TinyRuns.Pretrain()
            .With("evaluation", new JsonObject { ["train"] = images.Root + "/unlabelled", ["val"] = images.Root + "/val", ["k"] = new JsonArray(1) }));
        Assert.Equal("dataset_unlabelled", Assert.Throws<DatasetException>(() => RunInputs.EvaluationFor(unlabelled)).Reason);
    }

    [Fact]
    public void The_evaluation_resolution_defaults_to_the_global_crop_and_must_be_a_multiple_of_the_patch()
    {
        Assert.Equal(56, TinyRuns.Spec(TinyRuns.Pretrain()).Evaluation.Resolution);
        var error = Assert.Throws<Training.Runs.Spec.RunSpecException>(() => TinyRuns.Spec(TinyRuns.Pretrain().With("evaluation.resolution", 50)));
        Assert.Contains("evaluation.resolution", error.Message);
    }

    /// <summary>Two classes of six patterned images for training and two of each for validation.</summary>
    private static ImageFolder LabelledFolder()
    {
        var folder = new ImageFolder();
        for (var i = 0; i < 6; i++)
        {
            folder.Pattern($"train/a/{i}.png", i);
            folder.Pattern($"train/b/{i}.png", 100 + i, width: 40);
        }
        for (var i = 0; i < 2; i++)
        {
            folder.Pattern($"val/a/{i}.png", 50 + i);
            folder.Pattern($"val/b/{i}.png", 150 + i, width: 40);
        }
        return folder;
    }
}
