using EmbeddingService.Engine.Inference;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// Loads the configured model in the background once the server listens, and holds it. The service is ready
/// from the end of the warm-up until shutdown begins; a failed load stops the application.
/// </summary>
public sealed class ModelHost(IOptions<ModelOptions> options, EmbeddingRuntime runtime, IHostApplicationLifetime lifetime, ILogger<ModelHost> logger)
    : IHostedLifecycleService, IDisposable
{
    private ModelLoadRequest? _request;
    private Task _loading = Task.CompletedTask;
    private LoadedModel? _model;
    private volatile bool _draining;

    public LoadedModel? Model => Volatile.Read(ref _model);

    /// <summary>Loaded, warmed up and not shutting down.</summary>
    public bool IsReady => Model is not null && !_draining;

    /// <summary>Why loading failed, once it has.</summary>
    public Exception? LoadFailure { get; private set; }

    public string State => LoadFailure is not null ? "model load failed" : _draining ? "shutting down" : Model is null ? "loading the model" : "ready";

    /// <summary>Checks what can be checked without loading, so that a malformed setting fails start-up at once.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var request = new ModelLoadRequest { Weights = o.Weights, Architecture = string.IsNullOrWhiteSpace(o.Architecture) ? null : o.Architecture, Heads = o.Heads, Device = o.Device, Precision = o.Precision };
        request.Validate();
        _request = request;
        // Readiness goes first so that load balancers stop sending work while in-flight requests drain.
        lifetime.ApplicationStopping.Register(() => _draining = true);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var request = _request ?? throw new InvalidOperationException("StartingAsync has not run");
        // Loading and warm-up run parallel torch work, which gives the calling thread its own OpenMP thread team,
        // kept while that thread lives. A pool thread would keep it for good: with more OpenMP threads than cores,
        // libgomp stops spin-waiting and every parallel region of every forward pays a futex wake-up (measured
        // +25-35% per batch-1 forward). A thread that ends after loading takes its team with it, leaving the
        // executor's as the only one.
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            Load(request);
            loaded.SetResult();
        }) { IsBackground = true, Name = "model-loader" }.Start();
        _loading = loaded.Task;
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits for a load in progress (it cannot be interrupted) so that its model is disposed, not leaked.</summary>
    public async Task StopAsync(CancellationToken cancellationToken) =>
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => Model?.Dispose();

    private void Load(ModelLoadRequest request)
    {
        try
        {
            logger.LogInformation("Loading {Weights} on {Device}", request.Weights, request.Device);
            var model = ModelLoader.Load(request);
            WarmUp(model);
            runtime.Start(model);
            Volatile.Write(ref _model, model);
            if (model.Descriptor.IsRandom)
                logger.LogWarning("Serving {Model}: embeddings are meaningless until real weights are configured (Model__Weights)", model.Descriptor.DisplayName);
            else
                logger.LogInformation("Serving {Model} ({Fingerprint}) on {Device}", model.Descriptor.DisplayName, model.Descriptor.WeightsFingerprint, model.Target.Describe());
        }
        catch (Exception e)
        {
            LoadFailure = e;
            logger.LogCritical(e, "The model could not be loaded from {Weights}; stopping", request.Weights);
            lifetime.StopApplication();
        }
    }

    private static void WarmUp(LoadedModel model)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        var size = 224;
        var image = TorchSharp.torch.zeros([1, model.Network.Config.InChannels, size, size], model.Target.DType, model.Target.Device);
        model.Network.ForwardFeatures(image);
    }
}
