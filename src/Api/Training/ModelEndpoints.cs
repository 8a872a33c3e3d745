using EmbeddingService.Api.Admin;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting.OpenApi;
using EmbeddingService.Api.Problems;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Training;

/// <summary>REST /v1/admin/models: the models jobs exported plus "configured" (Model:Weights), which one is active, which one this replica serves, and activation.</summary>
public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder routes)
    {
        var models = routes.MapAdminGroup().MapGroup("/models").DisableAntiforgery().ProducesProblems(ApiProblems.TrainerUnavailable);
        models.MapGet("", ListAsync).WithName("ListModels").WithSummary("List models")
            .WithDescription("Every model a succeeded pretrain or distill job exported (fingerprint, architecture, source job, kNN results), newest first, then \"configured\" " +
                             "(Model:Weights); active: the worker's activation (every replica serves it); serving: what this replica serves now.")
            .Produces<ModelListResource>();
        models.MapGet("/{id}", GetAsync).WithName("GetModel").WithSummary("Get a model").Produces<ModelResource>().ProducesProblems(ApiProblems.ModelNotFound);
        models.MapPost("/{id}/activate", ActivateAsync).WithName("ActivateModel").WithSummary("Activate a model")
            .WithDescription("Makes the model the active one: this replica fetches its weights from the worker, loads and warms them while the old model serves, switches " +
                             "between two batches (requests in flight finish on the old model) and answers with what it serves; the other replicas follow the worker within seconds. " +
                             "Activating the previous model rolls back; \"configured\" goes back to Model:Weights. The activation outlives restarts. " +
                             "Collections made by the old model refuse the new model's images (model_mismatch).")
            .Produces<ActivateResource>()
            .ProducesProblems(ApiProblems.ModelNotFound, ApiProblems.ModelLoadFailed, ApiProblems.DeadlineExceeded);
        return routes;
    }

    private static async Task<IResult> ListAsync(HttpContext context, TrainerConnection trainer, ServedModelSwitch served, EmbeddingRuntime runtime)
    {
        var list = await trainer.CallAsync((c, o) => c.ListModelsAsync(new V1.ListModelsRequest(), o), context.RequestAborted);
        var models = list.Models.Select(m => ModelResource.Of(m, Serves(m, served, runtime))).ToList();
        models.Add(ModelResource.Configured(served, runtime, active: list.Active?.Model is null));
        return Results.Json(new ModelListResource(models, ActivationResource.Of(list.Active ?? new V1.ActiveModel()), ServingResource.Of(served, runtime)));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, TrainerConnection trainer, ServedModelSwitch served, EmbeddingRuntime runtime)
    {
        if (id == StartupModel.ConfiguredId)
        {
            var list = await trainer.CallAsync((c, o) => c.ListModelsAsync(new V1.ListModelsRequest(), o), context.RequestAborted);
            return Results.Json(ModelResource.Configured(served, runtime, active: list.Active?.Model is null));
        }
        var model = await trainer.CallAsync((c, o) => c.GetModelAsync(new V1.ModelRef { Id = id }, o), context.RequestAborted);
        return Results.Json(ModelResource.Of(model, Serves(model, served, runtime)));
    }

    private static async Task<IResult> ActivateAsync(string id, HttpContext context, ModelActivation activation, ServedModelSwitch served, EmbeddingRuntime runtime)
    {
        var (active, elapsed) = await activation.ActivateAsync(id, context.RequestAborted);
        return Results.Json(new ActivateResource(ActivationResource.Of(active), ServingResource.Of(served, runtime), Math.Round(elapsed.TotalSeconds, 3)));
    }

    private static bool Serves(V1.Model model, ServedModelSwitch served, EmbeddingRuntime runtime) =>
        served.ServingId == model.Id && runtime.Current?.Model.Descriptor.WeightsFingerprint == model.Fingerprint;
}
