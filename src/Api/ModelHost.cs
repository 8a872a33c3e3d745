using EmbeddingService.Engine.Inference;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api;

/// <summary>Loads the configured model at start-up and holds it; the service is ready only once this has finished.</summary>
public sealed class ModelHost(IOptions<ModelOptions> options, ILogger<ModelHost> logger) : IHostedService, IDisposable
{
    private LoadedModel? _model;

    public LoadedModel? Model => Volatile.Read(ref _model);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var request = new ModelLoadRequest { Weights = o.Weights, Architecture = string.IsNullOrWhiteSpace(o.Architecture) ? null : o.Architecture, Heads = o.Heads, Device = o.Device, Precision = o.Precision };
        request.Validate();
        var model = ModelLoader.Load(request);
        WarmUp(model);
        Volatile.Write(ref _model, model);
        if (model.Descriptor.IsRandom)
            logger.LogWarning("Serving {Model}: embeddings are meaningless until real weights are configured (Model__Weights)", model.Descriptor.DisplayName);
        else
            logger.LogInformation("Serving {Model} ({Fingerprint}) on {Device}", model.Descriptor.DisplayName, model.Descriptor.WeightsFingerprint, model.Target.Describe());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _model?.Dispose();

    private static void WarmUp(LoadedModel model)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        var size = 224;
        var image = TorchSharp.torch.zeros([1, model.Network.Config.InChannels, size, size], model.Target.DType, model.Target.Device);
        model.Network.ForwardFeatures(image);
    }
}
