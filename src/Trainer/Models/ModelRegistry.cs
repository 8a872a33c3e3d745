using System.Text.Json.Nodes;
using EmbeddingService.Trainer.Jobs;
using EmbeddingService.Training.Runs;

namespace EmbeddingService.Trainer.Models;

/// <summary>
/// The models the worker's jobs exported, and which one is active: registration when a pretrain or distill job
/// succeeds, kNN results from eval-knn jobs, activation (each one a new generation, persisted, announced to watchers).
/// </summary>
public sealed class ModelRegistry(ModelStore store, ActiveModelWatchers watchers, TimeProvider time, ILogger<ModelRegistry> logger)
{
    /// <summary>The id that clears the activation: replicas go back to their own configured weights.</summary>
    public const string Configured = "configured";

    /// <summary>Registers the export of <paramref name="job"/>'s completed run (its last evaluation as the kNN results).</summary>
    public ModelRecord Register(JobRecord job, RunExportPaths export, IReadOnlyDictionary<string, double> evaluation)
    {
        var config = File.ReadAllText(export.Config);
        var folder = Path.GetDirectoryName(export.Backbone)!;
        var model = new ModelRecord
        {
            Id = job.Id,
            SourceKind = job.Kind,
            Fingerprint = export.Fingerprint,
            Architecture = JsonNode.Parse(config)?["architecture"]?.GetValue<string>() ?? "custom",
            ConfigJson = config,
            Folder = folder,
            SizeBytes = ModelRecord.Files.Sum(file => new FileInfo(Path.Combine(folder, file)).Length),
            CreatedAt = time.GetUtcNow(),
            Knn = evaluation,
        };
        store.Save(model);
        logger.LogInformation("model {ModelId} registered: {Fingerprint} ({Architecture})", model.Id, model.Fingerprint, model.Architecture);
        return model;
    }

    public ModelRecord Get(string id) => store.Find(id) ?? throw NotFound(id);

    public IReadOnlyList<ModelRecord> List() => store.List();

    public ActiveModelRecord Active() => store.Active();

    /// <summary>Makes the model active; <see cref="Configured"/> clears the activation.</summary>
    public ActiveModelRecord Activate(string id)
    {
        var active = store.Activate(id == Configured ? null : id) ?? throw NotFound(id);
        logger.LogInformation("active model: {ModelId} (generation {Generation})", active.Model?.Id ?? Configured, active.Generation);
        watchers.Changed();
        return active;
    }

    /// <summary>An eval-knn job's results become the model's.</summary>
    public void UpdateKnn(string id, IReadOnlyDictionary<string, double> knn)
    {
        if (!store.UpdateKnn(id, knn)) throw NotFound(id);
    }

    private static JobRequestException NotFound(string id) =>
        new(JobError.ModelNotFound, $"there is no model '{id}'; the model list (GET /v1/admin/models, gRPC ListModels) gives the registered ones");
}
