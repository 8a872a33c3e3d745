using System.ComponentModel.DataAnnotations;

namespace EmbeddingService.Api.Training;

/// <summary>
/// Configuration section "Training": where the trainer worker is. With <see cref="Endpoint"/> unset the API starts and
/// supervises a local worker on <see cref="LocalGrpcPort"/>/<see cref="LocalHttpPort"/>, adopting one that already answers there.
/// </summary>
public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>False: no trainer at all (no local worker, no model following); the admin training routes answer trainer_unavailable.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A remote worker's gRPC address (http://trainer:8091, the Kubernetes layout); unset: a local worker.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The folder every job's dataset and output path must stay in (the local worker's Trainer:DataRoot).</summary>
    public string DataRoot { get; set; } = "training-data";

    /// <summary>The local worker's job store and runs (its Trainer:DataDirectory).</summary>
    public string DataDirectory { get; set; } = "trainer-data";

    /// <summary>Activated models' weights, downloaded from the worker and kept for a restart that cannot reach it.</summary>
    public string ModelCacheDirectory { get; set; } = "model-cache";

    /// <summary>The local worker's EmbeddingService.Trainer.dll; unset: trainer/ beside the API, else the build output.</summary>
    public string? WorkerPath { get; set; }

    [Range(1, 65535)]
    public int LocalGrpcPort { get; set; } = 8091;

    [Range(1, 65535)]
    public int LocalHttpPort { get; set; } = 8092;

    /// <summary>The longest wait between two restarts of a local worker that keeps dying (it doubles from one second).</summary>
    [Range(1, 3600)]
    public int MaxRestartDelaySeconds { get; set; } = 30;

    /// <summary>The largest job spec POST /v1/admin/jobs accepts (the spec's JSON, in bytes).</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxSpecBytes { get; set; } = 256 * 1024;

    /// <summary>How long POST …/activate waits for this replica to load and warm the model before answering 202.</summary>
    [Range(1, 3600)]
    public int ActivateWaitSeconds { get; set; } = 120;
}
