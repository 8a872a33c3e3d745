using System.CommandLine;
using System.Text.Json;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Verification;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl verify-case: computes a parity case (the dinov2-{train,augment,knn}-parity folder format) with the project's
/// code and writes its outputs under the case's own file names, plus result.json; prints one JSON line.
/// </summary>
public static class VerifyCaseCommand
{
    public static Command Create()
    {
        var command = new Command("verify-case",
            $"Compute a parity case's outputs (same file names as its expected files, plus result.json). Kinds: {string.Join(", ", CaseVerifiers.Kinds)}");
        var caseDirectory = new Argument<DirectoryInfo>("case-dir") { Description = "Case folder holding manifest.json and its inputs" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder (created)", Required = true };
        var images = new Option<DirectoryInfo?>("--images") { Description = "Folder of the source images a case names (default: ../images/good beside the fixture set)" };
        command.Arguments.Add(caseDirectory);
        command.Options.Add(output);
        command.Options.Add(images);
        command.SetAction(result =>
        {
            var folder = result.GetValue(caseDirectory)!;
            if (!folder.Exists) throw new ArgumentException($"case folder '{folder.FullName}' does not exist");
            TorchRuntime.EnsureInitialized();
            var imagesDirectory = result.GetValue(images)?.FullName ?? DefaultImages(folder);
            try
            {
                var (kind, files) = CaseVerifiers.Verify(folder.FullName, result.GetValue(output)!.FullName, imagesDirectory);
                Console.WriteLine(JsonSerializer.Serialize(new { kind, case_dir = folder.FullName, out_dir = result.GetValue(output)!.FullName, files }));
                return 0;
            }
            catch (UnknownCaseKindException e)
            {
                Console.Error.WriteLine($"embedctl: {e.Message}");
                return EmbedCtl.BadArguments;
            }
        });
        return command;
    }

    /// <summary>
    /// images/good beside the fixture set: the first folder above the case that holds one (the set is the case folder
    /// itself for augment and knn, its parent for train-parity cases).
    /// </summary>
    private static string DefaultImages(DirectoryInfo caseFolder)
    {
        for (var folder = caseFolder.Parent; folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "images", "good");
            if (Directory.Exists(candidate)) return candidate;
        }
        return Path.Combine(caseFolder.Parent?.FullName ?? caseFolder.FullName, "images", "good");
    }
}
