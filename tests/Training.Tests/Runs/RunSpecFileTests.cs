using System.Text.Json.Nodes;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Training.Tests.Runs;

public sealed class RunSpecFileTests
{
    [Fact]
    public void Completes_the_step_dependent_defaults_as_the_official_fractions()
    {
        var spec = RunSpecFile.Parse("""{"kind": "pretrain", "data": {"train": "synthetic"}, "optim": {"steps": 2000}}""");
        Assert.Equal(200, spec.Optim.WarmupSteps);
        Assert.Equal(600, spec.Objective.WarmupTeacherTempSteps);
        Assert.Equal(20, spec.Optim.FreezeLastLayerSteps);
        Assert.Equal("vits14", spec.Model.Arch);
        Assert.Equal((384, 12, 6), (spec.Model.EmbedDim, spec.Model.Depth, spec.Model.NumHeads));
        Assert.Equal(224, spec.Model.ImgSize);
        Assert.Equal(0.1, spec.Model.DropPathRate);
        Assert.False(spec.Heads.SeparateIbotHead);
        Assert.Equal(65536, spec.Heads.IbotPrototypes);
        Assert.Equal("centering", spec.Objective.Centering);
        var canonical = JsonNode.Parse(RunSpecFile.Canonical(spec))!;
        Assert.Equal(0.992, canonical["optim"]!["momentum_teacher"]!.GetValue<double>());
        Assert.Equal(200, canonical["optim"]!["warmup_steps"]!.GetValue<int>());
    }

    [Fact]
    public void Distillation_defaults_to_separate_heads_and_no_stochastic_depth()
    {
        var teacher = Path.GetTempFileName();
        var spec = RunSpecFile.Parse($$$"""{"data": {"train": "synthetic"}, "distillation": {"teacher": "{{{teacher}}}"}}""", RunKind.Distill);
        Assert.Equal(RunKind.Distill, spec.Kind);
        Assert.True(spec.Heads.SeparateIbotHead);
        Assert.Equal(0, spec.Model.DropPathRate);
        Assert.Equal(100, spec.Distillation!.HeadWarmupSteps);
    }

    [Theory]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic", "trian": "x"}}""", "unknown field 'data.trian'")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "batchsize": 3}""", "unknown field 'batchsize'")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "batch_size": 1}""", "batch_size: must be in [2, 65536] (got 1)")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "batch_size": "many"}""", "batch_size: cannot be read (wrong type")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "optim": {"steps": 10, "warmup_steps": 11}}""", "optim.warmup_steps: must be in [0, 10] (got 11)")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "crops": {"global_size": 100}}""", "crops.global_size: must be a multiple of model.patch_size 14")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "crops": {"local_crops_scale": [0.5, 0.2]}}""", "crops.local_crops_scale: must be [low, high] with 0 < low <= high <= 1 (got [0.5, 0.2])")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "model": {"arch": "vitx"}}""", "model.arch: must be one of")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "model": {"embed_dim": 30, "depth": 1, "num_heads": 4}}""", "model.num_heads: must divide model.embed_dim 30 (got 4)")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "objective": {"centering": "none"}}""", "objective.centering: must be \"centering\" or \"sinkhorn_knopp\" (got \"none\")")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "model": {"init": "/no/such.pth"}}""", "model.init: must be \"random\" or an existing checkpoint")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "distillation": {}}""", "distillation: is only for kind distill")]
    [InlineData("""{"kind": "distill", "data": {"train": "synthetic"}}""", "distillation: is required for distill")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "model": null}""", "model: must be an object, not null")]
    [InlineData("""{"kind": "pretrain"}""", "data.train: is required")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "execution": {"max_minutes": 0}}""", "execution.max_minutes: must be in")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "execution": {"device": "gpu"}}""", "execution.device: must be auto, cpu, cuda or cuda:N, not 'gpu'")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "execution": {"device": null}}""", "execution.device: must be auto, cpu, cuda or cuda:N, not null")]
    [InlineData("""{"kind": "pretrain", "data": {"train": "synthetic"}, "crops": {"global_size": 42}}""", "crops.global_size: must be at least 4 × model.patch_size = 56 for iBOT block masks")]
    public void A_bad_field_is_named_with_its_allowed_values(string json, string expected)
    {
        var error = Assert.Throws<RunSpecException>(() => RunSpecFile.Parse(json));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = Assert.Throws<RunSpecException>(() => RunSpecFile.Parse(
            """{"kind": "pretrain", "data": {"train": "synthetic"}, "seed": -1, "heads": {"layers": 0}, "masking": {"ratio_min": 0.6, "ratio_max": 0.5}}"""));
        Assert.Equal(3, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("seed:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("heads.layers:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("masking.ratio_max: must be in [0.6, 1]", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_step_count_is_one_problem_not_one_per_field_it_bounds()
    {
        var error = Assert.Throws<RunSpecException>(() => RunSpecFile.Parse("""{"kind": "pretrain", "data": {"train": "synthetic"}, "optim": {"steps": -1}}"""));
        Assert.Equal("optim.steps: must be in [1, 100000000] (got -1)", error.Problems.Single());
    }

    [Fact]
    public void The_command_kind_must_agree_with_the_file()
    {
        var error = Assert.Throws<RunSpecException>(() => RunSpecFile.Parse("""{"kind": "pretrain", "data": {"train": "synthetic"}}""", RunKind.Distill));
        Assert.Contains("kind: the spec says pretrain but the command is distill", error.Message);
    }

    [Fact]
    public void The_hash_covers_what_is_trained_not_how_it_is_computed()
    {
        var baseSpec = TinyRuns.Pretrain();
        var hash = RunSpecFile.Hash(TinyRuns.Spec(baseSpec));
        Assert.Equal(hash, RunSpecFile.Hash(TinyRuns.Spec(baseSpec.With("execution.threads", 2).With("execution.device", "cpu").With("checkpoints.keep_last", 9))));
        var changed = TinyRuns.Spec(baseSpec.With("optim.base_lr", 0.01).With("heads.prototypes", 32));
        Assert.NotEqual(hash, RunSpecFile.Hash(changed));
        Assert.Equal(["heads.ibot_prototypes", "heads.prototypes", "optim.base_lr"],
            RunSpecFile.ChangedFields(RunSpecFile.Canonical(TinyRuns.Spec(baseSpec)), RunSpecFile.Canonical(changed)));
    }
}
