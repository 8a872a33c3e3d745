using System.CommandLine;
using System.Text.Json;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.IO;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl embed: embeddings of image files, as JSON lines on stdout or one [N, dim] .npy.</summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var command = new Command("embed", "Embed image files; prints JSON lines, or writes one float32 [N, dim] .npy with --out");
        var model = new ModelOptions().AddTo(command);
        var preprocess = new PreprocessOptions().AddTo(command);
        var pooling = new Option<string>("--pooling") { Description = "cls, mean or cls+mean", DefaultValueFactory = _ => "cls" };
        var normalize = new Option<bool>("--normalize") { Description = "L2-normalise each embedding (default: true; --normalize false for raw features)", DefaultValueFactory = _ => true };
        var output = new Option<FileInfo?>("--out") { Description = "Write a float32 [N, dim] .npy instead of JSON lines" };
        var threads = ThreadsOption.Create();
        var images = new Argument<FileInfo[]>("images") { Description = "Image files", Arity = ArgumentArity.OneOrMore };
        command.Options.Add(pooling);
        command.Options.Add(normalize);
        command.Options.Add(output);
        command.Options.Add(threads);
        command.Arguments.Add(images);
        command.SetAction(result =>
        {
            var request = model.Request(result);
            var embedOptions = new EmbedOptions { Pooling = PoolingNames.Parse(result.GetValue(pooling)!), Normalize = result.GetValue(normalize) };
            var preprocessor = preprocess.Create(result);
            ThreadsOption.Apply(result.GetValue(threads));
            var files = result.GetValue(images)!;
            var decoded = files.Select(f => Decode(preprocessor, f)).ToArray();
            var failures = decoded.Count(d => d.Error is not null);
            var outPath = result.GetValue(output);
            if (outPath is not null && failures > 0)
            {
                var first = decoded.First(d => d.Error is not null);
                throw new InvalidDataException($"{first.File.Name}: {first.Error}");
            }

            using var loaded = ModelLoader.Load(request);
            var embedder = new ImageEmbedder(loaded);
            var good = decoded.Where(d => d.Image is not null).ToArray();
            var embeddings = embedder.Embed(good.Select(d => d.Image!).ToArray(), embedOptions);
            if (outPath is not null)
            {
                var width = embeddings[0].Vector.Length;
                Npy.Write(outPath.FullName, [embeddings.Count, width], embeddings.SelectMany(e => e.Vector).ToArray());
                Console.Error.WriteLine($"{loaded.Descriptor.DisplayName}: {embeddings.Count} embedding(s) of {width} → {outPath.FullName}");
                return 0;
            }
            var byFile = good.Zip(embeddings).ToDictionary(p => p.First.File, p => p.Second);
            foreach (var item in decoded)
                Console.WriteLine(item.Error is { } error
                    ? JsonSerializer.Serialize(new { file = item.File.FullName, error = error })
                    : JsonSerializer.Serialize(new
                    {
                        file = item.File.FullName,
                        model = loaded.Descriptor.DisplayName,
                        pooling = embedOptions.Pooling.ToName(),
                        dim = byFile[item.File].Vector.Length,
                        tokens = byFile[item.File].Tokens,
                        embedding = byFile[item.File].Vector,
                    }));
            return failures == 0 ? 0 : EmbedCtl.Failed;
        });
        return command;
    }

    private static (FileInfo File, PreprocessedImage? Image, string? Error) Decode(ImagePreprocessor preprocessor, FileInfo file)
    {
        try
        {
            return (file, preprocessor.Process(File.ReadAllBytes(file.FullName)), null);
        }
        catch (ImageDecodeException e)
        {
            return (file, null, e.Describe());
        }
        catch (IOException e)
        {
            return (file, null, e.Message);
        }
    }
}
