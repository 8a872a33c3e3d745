using System.Reflection;

namespace EmbeddingService.Api.Training;

/// <summary>
/// Finds the local worker's EmbeddingService.Trainer.dll: Training:WorkerPath when set; else trainer/ beside the API
/// (the published layout, scripts/build-release.sh); else the Trainer project's build output, whose path the build
/// records in the API assembly (dotnet run --project src/Api and the tests, which build the worker with the API).
/// </summary>
public static class TrainerExecutable
{
    public const string FileName = "EmbeddingService.Trainer.dll";
    public const string PublishedFolder = "trainer";

    /// <summary>The worker's path, or null with the places looked at in <paramref name="searched"/>.</summary>
    public static string? Find(string? configured, out IReadOnlyList<string> searched)
    {
        var candidates = configured is { Length: > 0 }
            ? [Path.GetFullPath(configured)]
            : new[] { Path.Combine(AppContext.BaseDirectory, PublishedFolder, FileName), BuildPath() }.OfType<string>().ToArray();
        searched = candidates;
        return candidates.FirstOrDefault(File.Exists);
    }

    private static string? BuildPath() => typeof(TrainerExecutable).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "TrainerBuildPath")?.Value;
}
