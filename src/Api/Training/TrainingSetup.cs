namespace EmbeddingService.Api.Training;

/// <summary>
/// The trainer side of the API (section "Training"): the worker connection, the local worker's supervisor when no
/// Training:Endpoint is set, the model cache and start-up choice, the follower of the worker's active model, and the
/// admin routes (/v1/admin/jobs, /v1/admin/models) and gRPC service (embedding.v1.Training) that forward to the worker.
/// </summary>
public static class TrainingSetup
{
    /// <summary>The services; the supervisor and the follower idle when the (validated) settings leave them nothing to do.</summary>
    public static IServiceCollection AddTraining(this IServiceCollection services) => services
        .AddSingleton<TrainerConnection>()
        .AddSingleton<ModelCache>()
        .AddSingleton<StartupModel>()
        .AddSingleton<ServedModelSwitch>()
        .AddSingleton<ModelActivation>()
        .AddSingleton<LocalTrainerSupervisor>()
        .AddHostedService(sp => sp.GetRequiredService<LocalTrainerSupervisor>())
        .AddHostedService<ActiveModelFollower>();

    public static WebApplication MapTraining(this WebApplication app)
    {
        app.MapJobEndpoints();
        app.MapModelEndpoints();
        app.MapGrpcService<TrainingGrpcForwarder>();
        return app;
    }
}
