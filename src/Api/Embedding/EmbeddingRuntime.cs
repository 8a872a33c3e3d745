using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Problems;
using EmbeddingService.Api.Training;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Text;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// The one embedding runtime: owns the served model's life (load and warm-up once the server listens, ready until
/// shutdown begins, drain on stop, hot swap) and is the one entry point through which REST, gRPC and collections
/// embed. A failed start-up load stops the application.
/// </summary>
public sealed class EmbeddingRuntime(
    StartupModel startupModel, IOptions<ServingOptions> servingOptions, IHostApplicationLifetime lifetime, ILogger<EmbeddingRuntime> logger)
    : IHostedLifecycleService, IAsyncDisposable
{
    private const string NotReadyMessage = "the model is still loading or the service is shutting down";
    private readonly ServingOptions _serving = servingOptions.Value;
    private ModelLoadRequest? _request;
    private Task _loading = Task.CompletedTask;
    private ServingModel? _current;
    private volatile bool _draining;

    /// <summary>The model serving now; null until the first load has finished.</summary>
    public ServingModel? Current => Volatile.Read(ref _current);

    /// <summary>Loaded, warmed up and not shutting down.</summary>
    public bool IsReady => Current is not null && !_draining;

    /// <summary>Why the start-up load failed, once it has.</summary>
    public Exception? LoadFailure { get; private set; }

    public string State => LoadFailure is not null ? "model load failed" : _draining ? "shutting down" : Current is null ? "loading the model" : "ready";

    /// <summary>The request options of the served model; throws not_ready before it is loaded.</summary>
    public EmbedOptionsParser Options => Serving().Options;

    /// <summary>The REST request reader of the served model; throws not_ready before it is loaded.</summary>
    public EmbedRequestReader Reader => Serving().Reader;

    /// <summary>Embeds every input or none (the first failure, with its index).</summary>
    public Task<EmbedResult> EmbedAsync(IReadOnlyList<EmbedInput> inputs, EmbedRequestOptions options, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        WithLeaseAsync(model => model.Pipeline.EmbedAllAsync(inputs, options, deadline, cancellationToken));

    /// <summary>One image on its own (a streaming message); <paramref name="index"/> is its place in the stream.</summary>
    public Task<EmbedResult> EmbedOneAsync(int index, EmbedInput input, EmbedRequestOptions options, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        WithLeaseAsync(model => model.Pipeline.EmbedOneAsync(index, input, options, deadline, cancellationToken));

    /// <summary>
    /// Replaces the served model: loads and warms <paramref name="request"/> in the background while the current one
    /// serves, switches between two batches (new requests go to the new model), then lets the requests in flight
    /// finish on the old one before its scheduler stops and its weights are released.
    /// </summary>
    public async Task SwapAsync(ModelLoadRequest request)
    {
        request.Validate();
        var next = await LoadAsync(request);
        var previous = Interlocked.Exchange(ref _current, next);
        if (previous is not null) await previous.RetireAsync(DrainTimeout);
    }

    /// <summary>Checks what can be checked without loading, so that a malformed setting fails start-up at once.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // Model:Weights, or the model activated through the trainer that this replica served before a restart.
        _request = startupModel.Choose();
        // Readiness goes first so that load balancers stop sending work while in-flight requests drain.
        lifetime.ApplicationStopping.Register(() => _draining = true);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var request = _request ?? throw new InvalidOperationException("StartingAsync has not run");
        _loading = LoadAtStartAsync(request);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Waits for a load in progress (it cannot be interrupted) so that its model is disposed, not leaked; then refuses
    /// new work and finishes what is queued within the drain timeout, before the model is released on dispose.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Current is { } model) await model.DrainAsync(DrainTimeout);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Current is { } model) await model.DisposeAsync();
    }

    private TimeSpan DrainTimeout => TimeSpan.FromSeconds(_serving.DrainTimeoutSeconds);

    private async Task LoadAtStartAsync(ModelLoadRequest request)
    {
        try
        {
            Volatile.Write(ref _current, await LoadAsync(request));
        }
        catch (Exception e)
        {
            LoadFailure = e;
            logger.LogCritical(e, "The model could not be loaded from {Weights}; stopping", request.Weights);
            lifetime.StopApplication();
        }
    }

    private Task<ServingModel> LoadAsync(ModelLoadRequest request)
    {
        // Loading and warm-up run parallel torch work, which gives the calling thread its own OpenMP thread team,
        // kept while that thread lives. A pool thread would keep it for good: with more OpenMP threads than cores,
        // libgomp stops spin-waiting and every parallel region of every forward pays a futex wake-up (measured
        // +25-35% per batch-1 forward). A thread that ends after loading takes its team with it, leaving the
        // executor's as the only one.
        var loaded = new TaskCompletionSource<ServingModel>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                loaded.SetResult(Load(request));
            }
            catch (Exception e)
            {
                loaded.SetException(e);
            }
        }) { IsBackground = true, Name = "model-loader" }.Start();
        return loaded.Task;
    }

    private ServingModel Load(ModelLoadRequest request)
    {
        logger.LogInformation("Loading {Weights} on {Device}", request.Weights, request.Device);
        var model = ModelLoader.Load(request);
        try
        {
            WarmUp(model);
            var serving = ServingModel.Start(model, _serving);
            logger.LogInformation("Serving {Model} ({Fingerprint}) on {Device} with {Backend}", model.Descriptor.DisplayName, model.Descriptor.WeightsFingerprint, model.Target.Describe(), KebabCaseNames<InferenceBackend>.Name(model.Backend));
            if (model.Descriptor.IsRandom)
                logger.LogWarning("Serving {Model}: embeddings are meaningless until real weights are configured (Model__Weights)", model.Descriptor.DisplayName);
            return serving;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static void WarmUp(LoadedModel model)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        var size = 224;
        var image = TorchSharp.torch.zeros([model.Network.Config.InChannels, size, size], model.Target.DType, model.Target.Device);
        model.Forward.ForwardPacked([image]);
    }

    private ServingModel Serving() => Current ?? throw new ApiRequestError(ApiProblems.NotReady, NotReadyMessage);

    private async Task<EmbedResult> WithLeaseAsync(Func<ServingModel, Task<EmbedResult>> embed)
    {
        // A model retired by a swap between the read and the lease has been replaced: take the new one.
        while (Current is { } model)
        {
            if (!model.TryAcquire()) continue;
            try
            {
                return await embed(model);
            }
            finally
            {
                model.Release();
            }
        }
        return EmbedResult.Failed(new EmbedFailure(ApiProblems.NotReady, NotReadyMessage));
    }
}
