using System.Text.Json;
using System.Text.RegularExpressions;
using EmbeddingService.Api.Problems;
using EmbeddingService.Engine.Checkpoints;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>
/// Training:ModelCacheDirectory: each activated model's files ({id}/backbone.safetensors, {id}/config.json), fetched
/// from the worker with DownloadModel and checked against the model's fingerprint before use, and active.json, the
/// activation this replica serves, read at the next start (the activated model wins over Model:Weights, also when the
/// worker is not reachable yet).
/// </summary>
public sealed partial class ModelCache(IOptions<TrainingOptions> options)
{
    public const string ActiveFile = "active.json";

    private string Root => Path.GetFullPath(options.Value.ModelCacheDirectory);

    /// <summary>The model's weights file in the cache, downloaded (and verified) first if it is not there yet.</summary>
    public async Task<string> FetchAsync(V1.Model model, V1.Training.TrainingClient client, CancellationToken cancellation)
    {
        var folder = Path.Combine(Root, SafeId(model.Id));
        var weightsName = WeightsFile(model);
        var weights = Path.Combine(folder, weightsName);
        if (model.Files.All(f => File.Exists(Path.Combine(folder, f))) && CheckpointLoader.Fingerprint(weights) == model.Fingerprint) return weights;

        var partial = Directory.CreateDirectory(Path.Combine(Root, $".{SafeId(model.Id)}.{Guid.NewGuid():N}")).FullName;
        try
        {
            foreach (var file in model.Files)
            {
                await using var output = File.Create(Path.Combine(partial, SafeFileName(file)));
                using var call = client.DownloadModel(new V1.ModelFileRef { ModelId = model.Id, File = file }, cancellationToken: cancellation);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellation)) chunk.Data.WriteTo(output);
            }
            var fingerprint = CheckpointLoader.Fingerprint(Path.Combine(partial, weightsName));
            if (fingerprint != model.Fingerprint)
                throw new ApiRequestError(ApiProblems.ModelLoadFailed, $"the downloaded weights of model '{model.Id}' have fingerprint {fingerprint}, not {model.Fingerprint}");
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.Move(partial, folder);
            return weights;
        }
        finally
        {
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        }
    }

    /// <summary>The activation this replica last served (null: the configured model), with its weights still in the cache and unchanged.</summary>
    public CachedActivation? ReadActive()
    {
        var file = Path.Combine(Root, ActiveFile);
        if (!File.Exists(file)) return null;
        var active = JsonSerializer.Deserialize<CachedActivation>(File.ReadAllText(file));
        if (active is null) return null;
        var weights = Path.Combine(Root, SafeId(active.ModelId), SafeFileName(active.WeightsFile));
        return File.Exists(weights) && CheckpointLoader.Fingerprint(weights) == active.Fingerprint ? active with { WeightsPath = weights } : null;
    }

    public void WriteActive(V1.Model? model)
    {
        Directory.CreateDirectory(Root);
        var file = Path.Combine(Root, ActiveFile);
        if (model is null)
        {
            File.Delete(file);
            return;
        }
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new CachedActivation(model.Id, model.Fingerprint, WeightsFile(model))));
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>The weights among the model's files: the one that is not a JSON sidecar.</summary>
    public static string WeightsFile(V1.Model model) =>
        model.Files.FirstOrDefault(f => !f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        ?? throw new ApiRequestError(ApiProblems.ModelLoadFailed, $"model '{model.Id}' lists no weights file among {string.Join(", ", model.Files)}");

    private static string SafeId(string id) => SafeName().IsMatch(id) ? id : throw new ApiRequestError(ApiProblems.ModelLoadFailed, $"model id '{id}' is not a folder name");

    private static string SafeFileName(string file) => SafeName().IsMatch(file) ? file : throw new ApiRequestError(ApiProblems.ModelLoadFailed, $"model file '{file}' is not a plain file name");

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]*$")]
    private static partial Regex SafeName();
}

/// <summary>What active.json records: the activated model, its fingerprint and its weights' file name (the path is filled when read).</summary>
public sealed record CachedActivation(string ModelId, string Fingerprint, string WeightsFile, [property: System.Text.Json.Serialization.JsonIgnore] string? WeightsPath = null);
