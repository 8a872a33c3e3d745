using EmbeddingService.Api.Embedding;
using EmbeddingService.Engine.Inference;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Training;

/// <summary>
/// What the embedding runtime loads at start: the model this replica served from the worker's activation, when
/// active.json in the model cache names one whose weights are there and unchanged; else Model:Weights. The activated
/// model wins so that a restart (or a new replica on the same cache) does not fall back silently; activating
/// "configured" clears it. The follower then brings the replica in line with the worker once it answers.
/// </summary>
public sealed class StartupModel(IOptions<ModelOptions> model, IOptions<TrainingOptions> training, ModelCache cache, ILogger<StartupModel> logger)
{
    public const string ConfiguredId = "configured";

    /// <summary>The id of the model loaded at start: <see cref="ConfiguredId"/> or an activated model's id.</summary>
    public string Id { get; private set; } = ConfiguredId;

    public ModelLoadRequest Choose()
    {
        var configured = model.Value.LoadRequest();
        if (!training.Value.Enabled || cache.ReadActive() is not { } active) return configured;
        Id = active.ModelId;
        logger.LogInformation("Loading the activated model {Id} ({Fingerprint}) from the model cache instead of Model:Weights", active.ModelId, active.Fingerprint);
        return ActivatedRequest(configured, active.WeightsPath!);
    }

    /// <summary>The configured device and precision with another model's weights (its architecture comes from its sidecar).</summary>
    public static ModelLoadRequest ActivatedRequest(ModelLoadRequest configured, string weights) =>
        configured with { Weights = weights, Architecture = null, Heads = null };
}
