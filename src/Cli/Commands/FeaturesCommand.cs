using System.CommandLine;
using EmbeddingService.Engine.IO;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Text;
using static TorchSharp.torch;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl features: the official forward_features outputs of a normalised NCHW .npy batch, through the model's serving backend.</summary>
public static class FeaturesCommand
{
    public static Command Create()
    {
        var command = new Command("features", "Run forward_features on a normalised float32 NCHW .npy; writes cls.npy, patch.npy, prenorm.npy (and reg.npy)");
        var model = new ModelOptions().AddTo(command);
        var input = new Option<FileInfo>("--input") { Description = "Normalised float32 [N, 3, H, W] .npy, or one [3, H, W] image as embedctl preprocess writes it", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output directory (created if missing)", Required = true };
        var threads = ThreadsOption.Create();
        command.Options.Add(input);
        command.Options.Add(output);
        command.Options.Add(threads);
        command.SetAction(result =>
        {
            var request = model.Request(result);
            ThreadsOption.Apply(result.GetValue(threads));
            var array = Npy.Read(result.GetValue(input)!.FullName);
            if (array.Shape.Length == 3) array = array with { Shape = [1, .. array.Shape] };
            if (array.Shape.Length != 4) throw new InvalidDataException($"--input must be [N, C, H, W] or [C, H, W], got [{string.Join(", ", array.Shape)}]");
            using var loaded = ModelLoader.Load(request);
            var outDir = result.GetValue(output)!;
            outDir.Create();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var batch = tensor(array.Data, array.Shape).to(loaded.Target.DType, loaded.Target.Device);
            var images = Enumerable.Range(0, (int)array.Shape[0]).Select(i => batch[i]).ToArray();
            using var features = loaded.Forward.ForwardPacked(images);
            var count = images.Length;
            // One output of every image, [N, ...]: the images share a size, so their parts stack.
            void SaveAll(string name, Func<int, Tensor> part) => Save(Path.Combine(outDir.FullName, name), stack(Enumerable.Range(0, count).Select(part).ToArray()));
            SaveAll("cls.npy", features.Cls);
            SaveAll("patch.npy", features.Patches);
            SaveAll("prenorm.npy", features.PrenormTokens);
            if (loaded.Network.Config.NumRegisters > 0) SaveAll("reg.npy", features.Registers);
            var grid = features.Sequences[0];
            Console.Error.WriteLine(
                $"{loaded.Descriptor.DisplayName} on {KebabCaseNames<InferenceBackend>.Name(loaded.Backend)}: {count} image(s), grid {grid.GridHeight}×{grid.GridWidth} → {outDir.FullName}");
            return 0;
        });
        return command;
    }

    private static void Save(string path, Tensor tensor)
    {
        using var cpu = tensor.to(float32).cpu().contiguous();
        Npy.Write(path, cpu.shape, cpu.data<float>().ToArray());
    }
}
