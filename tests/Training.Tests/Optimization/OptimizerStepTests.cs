using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Model;
using EmbeddingService.Training.Heads;
using EmbeddingService.Training.Optimization;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Optimization;

/// <summary>
/// The optimiser half of the train_step case on the real modules: the official initial weights and gradients loaded,
/// per-module clipping, AdamW with the scheduled groups, then the teacher EMA.
/// </summary>
public sealed class OptimizerStepTests
{
    private const string Case = "dinov2-train-parity/train_step";

    [Fact]
    public void Clip_adamw_and_ema_match_the_official_step()
    {
        using var scope = NewDisposeScope();
        var manifest = TrainFixtures.Manifest(Case);
        var folder = TrainFixtures.Folder(Case);
        var init = SafeTensorsReader.Read(Path.Combine(folder, "weights_init.safetensors"));
        var grads = SafeTensorsReader.Read(Path.Combine(folder, "grads.safetensors"));
        var student = Modules(init);
        var teacher = Modules(init);
        foreach (var (prefix, module) in student)
            foreach (var (name, parameter) in module.named_parameters())
                parameter.grad = grads[prefix + "." + name];

        var norms = GradientClipping.ClipPerModule(student.Select(m => (m.Key, m.Value.parameters())), 3.0);
        foreach (var official in manifest.GetProperty("grad_norms_before_clip").EnumerateObject())
            Tolerance.Relative(official.Value.GetDouble(), norms[official.Name], 1e-6, $"{official.Name} grad norm");

        var groups = student.Values.SelectMany(m => ParameterGroups.ForSubmodel(m)).ToArray();
        var state = manifest.GetProperty("schedule_state");
        using var optimizer = new ScheduledAdamW(groups);
        optimizer.ApplyOptimScheduler(state.GetProperty("lr").GetDouble(), state.GetProperty("wd").GetDouble(), state.GetProperty("last_layer_lr").GetDouble());
        var officialGroups = manifest.GetProperty("optimizer_param_groups").EnumerateArray().ToArray();
        Assert.Equal(officialGroups.Length, groups.Length);
        foreach (var (official, (group, settings)) in officialGroups.Zip(groups.Zip(optimizer.Settings)))
        {
            Assert.Equal(official.GetProperty("n_params").GetInt32(), group.Parameters.Count);
            Tolerance.Relative(official.GetProperty("lr").GetDouble(), settings.LearningRate, 1e-12, "group lr");
            Assert.Equal(official.GetProperty("weight_decay").GetDouble(), settings.WeightDecay);
        }
        optimizer.Step();

        AssertState(student, Path.Combine(folder, "student_after_step.safetensors"), "student");
        foreach (var (prefix, module) in student)
            foreach (var (name, parameter) in module.named_parameters().Where(p => p.name.StartsWith("last_layer.", StringComparison.Ordinal)))
                Tolerance.Within(init[prefix + "." + name], parameter, 0, $"{prefix}.{name} with last_layer_lr 0");

        var momentum = state.GetProperty("momentum").GetDouble();
        foreach (var (prefix, module) in teacher)
            TeacherEma.Update(module.named_parameters(), student[prefix].named_parameters(), momentum);
        AssertState(teacher, Path.Combine(folder, "teacher_after_ema.safetensors"), "teacher");

        foreach (var module in student.Values.Concat(teacher.Values)) module.Dispose();
    }

    [Fact]
    public void Parameters_without_a_gradient_are_not_stepped_nor_decayed()
    {
        using var scope = NewDisposeScope();
        using var head = new DinoHead(8, 4, hiddenDim: 8, bottleneckDim: 4);
        var before = head.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using var optimizer = new ScheduledAdamW(ParameterGroups.ForSubmodel(head));
        head.call(randn(2, 8)).sum().backward();
        optimizer.ZeroGrad();
        Assert.All(head.parameters(), p => Assert.Null(p.grad));

        optimizer.ApplyOptimScheduler(lr: 0.1, wd: 0.5, lastLayerLr: 0.1);
        optimizer.Step();
        foreach (var (name, parameter) in head.named_parameters())
            Tolerance.Within(before[name], parameter, 0, $"{name} without a gradient");
    }

    private static Dictionary<string, nn.Module> Modules(Dictionary<string, Tensor> weights)
    {
        var modules = new Dictionary<string, nn.Module>
        {
            ["backbone"] = new DinoVisionTransformer(new VitConfig { EmbedDim = 48, Depth = 3, NumHeads = 3, ImgSize = 56 }),
            ["dino_head"] = new DinoHead(48, 64, hiddenDim: 64, bottleneckDim: 32),
            ["ibot_head"] = new DinoHead(48, 48, hiddenDim: 64, bottleneckDim: 32),
        };
        foreach (var (prefix, module) in modules)
            module.load_state_dict(weights.Where(w => w.Key.StartsWith(prefix + ".", StringComparison.Ordinal))
                .ToDictionary(w => w.Key[(prefix.Length + 1)..], w => w.Value));
        return modules;
    }

    private static void AssertState(Dictionary<string, nn.Module> modules, string path, string what)
    {
        var expected = SafeTensorsReader.Read(path);
        var names = modules.SelectMany(m => m.Value.named_parameters().Select(p => (Name: m.Key + "." + p.name, p.parameter))).ToArray();
        Assert.Equal(expected.Keys.Order(), names.Select(p => p.Name).Order());
        foreach (var (name, parameter) in names)
            Tolerance.Within(expected[name], parameter, 1e-6, $"{what} {name}");
    }
}
