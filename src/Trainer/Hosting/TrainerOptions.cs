namespace EmbeddingService.Trainer.Hosting;

/// <summary>Configuration section "Trainer" (appsettings.json, Trainer__Key environment variables, --Trainer:Key=value).</summary>
public sealed class TrainerOptions
{
    public const string Section = "Trainer";

    /// <summary>gRPC (embedding.v1.Training, grpc.health.v1): cleartext HTTP/2 only; 0 picks a free port.</summary>
    public int GrpcPort { get; set; } = 8091;

    /// <summary>HTTP/1.1: /health/live, /health/ready and /metrics (Prometheus text); 0 picks a free port.</summary>
    public int HttpPort { get; set; } = 8092;

    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>The job store (jobs.db) and every job's run folder (jobs/{id}/); one worker per directory.</summary>
    public string DataDirectory { get; set; } = "trainer-data";

    /// <summary>
    /// The only folder a submitted spec may read (datasets, evaluation folders, teachers, weights); relative spec paths
    /// resolve against it. Empty: {DataDirectory}/data. Created when missing.
    /// </summary>
    public string DataRoot { get; set; } = "";

    /// <summary>The data root in effect: <see cref="DataRoot"/>, or data/ in the data directory.</summary>
    public string DataRootPath => DataRoot.Length > 0 ? DataRoot : Path.Combine(DataDirectory, "data");

    /// <summary>How long a stopping worker (SIGTERM) waits for the running job to reach a step boundary and checkpoint.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 120;
}
