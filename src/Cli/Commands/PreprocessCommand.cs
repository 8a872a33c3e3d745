using System.CommandLine;
using EmbeddingService.Engine.IO;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl preprocess: the normalised [3, H, W] float32 tensor the model would see for an image file.</summary>
public static class PreprocessCommand
{
    public static Command Create()
    {
        var command = new Command("preprocess", "Decode and transform an image; writes the normalised [3, H, W] float32 tensor as .npy");
        var options = new PreprocessOptions().AddTo(command);
        var image = new Argument<FileInfo>("image") { Description = "Image file (JPEG, PNG, WebP, BMP, GIF)" };
        var output = new Option<FileInfo>("--out") { Description = "Output .npy", Required = true };
        command.Arguments.Add(image);
        command.Options.Add(output);
        command.SetAction(result =>
        {
            var preprocessor = options.Create(result);
            var processed = preprocessor.Process(File.ReadAllBytes(result.GetValue(image)!.FullName));
            Npy.Write(result.GetValue(output)!.FullName, [3, processed.Height, processed.Width], processed.Chw);
            return 0;
        });
        return command;
    }
}
