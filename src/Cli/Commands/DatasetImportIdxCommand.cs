using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using EmbeddingService.Training.Data;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl dataset import-idx: an IDX image set (MNIST, Fashion-MNIST) as PNG class folders; prints one JSON object.</summary>
public static class DatasetImportIdxCommand
{
    public static Command Create()
    {
        var command = new Command("import-idx",
            "Write an IDX image set (MNIST/Fashion-MNIST format, plain or .gz) as grayscale PNGs in class folders OUT/<class>/<index>.png; re-running is cheap");
        var images = new Argument<FileInfo>("IMAGES") { Description = "IDX images [N, rows, cols] (idx3-ubyte, plain or gzip)" };
        var labels = new Argument<FileInfo>("LABELS") { Description = "IDX labels [N] (idx1-ubyte, plain or gzip)" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Dataset folder to write (created; must hold nothing but an earlier import of the same set)", Required = true };
        var classNames = new Option<string?>("--class-names") { Description = "Comma-separated folder name per label value (default: label numbers, zero-padded)" };
        command.Arguments.Add(images);
        command.Arguments.Add(labels);
        command.Options.Add(output);
        command.Options.Add(classNames);
        command.SetAction(result =>
        {
            var names = result.GetValue(classNames)?.Split(',', StringSplitOptions.TrimEntries);
            var outDir = result.GetValue(output)!.FullName;
            var clock = Stopwatch.StartNew();
            var import = IdxImport.Run(result.GetValue(images)!.FullName, result.GetValue(labels)!.FullName, outDir, names);
            Console.WriteLine(new JsonObject
            {
                ["command"] = "dataset import-idx",
                ["out"] = outDir,
                ["images"] = import.Images,
                ["classes"] = new JsonArray([.. import.ClassFolders.Select(c => (JsonNode?)c)]),
                ["written"] = import.Written,
                ["unchanged"] = import.Unchanged,
                ["already_complete"] = import.AlreadyComplete,
                ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
            }.ToJsonString());
            return 0;
        });
        return command;
    }
}
