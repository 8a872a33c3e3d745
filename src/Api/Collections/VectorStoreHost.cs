using EmbeddingService.Hosting;
using EmbeddingService.Retrieval;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Collections;

/// <summary>
/// Opens the configured vector store in the background once the server listens (replaying a large embedded
/// store takes a while), holds it, and closes it at shutdown. A store that cannot be opened stops the application.
/// The embedded store's directory is locked (store.lock) before the server listens and until the store is closed: a
/// second instance on it would overwrite this one's logs and lose acknowledged writes, so its start is refused.
/// </summary>
public sealed class VectorStoreHost(IOptions<RetrievalOptions> options, IHostEnvironment environment, IHostApplicationLifetime lifetime, ILoggerFactory loggers)
    : IHostedLifecycleService, IAsyncDisposable
{
    public const string LockFile = "store.lock";

    private readonly ILogger _logger = loggers.CreateLogger<VectorStoreHost>();
    private Task _opening = Task.CompletedTask;
    private IVectorStore? _store;
    private DataDirectoryLock? _lock;

    public IVectorStore? Store => Volatile.Read(ref _store);

    public Exception? OpenFailure { get; private set; }

    public string State => OpenFailure is not null ? "vector store failed to open" : Store is null ? "opening the vector store" : "vector store open";

    /// <exception cref="OptionsValidationException">Another process holds the embedded store's directory (Retrieval:DataDirectory).</exception>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.Store == RetrievalOptions.EmbeddedStore)
            _lock = DataDirectoryLock.Acquire(o.FullDataDirectory(environment.ContentRootPath), LockFile, $"{RetrievalOptions.Section}:{nameof(o.DataDirectory)}", "API instance");
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _opening = Task.Run(OpenAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken) =>
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Store is { } store) await store.DisposeAsync();
        _lock?.Dispose();
    }

    private async Task OpenAsync()
    {
        var o = options.Value;
        try
        {
            var store = await VectorStores.OpenAsync(o, environment.ContentRootPath, loggers);
            Volatile.Write(ref _store, store);
            _logger.LogInformation("Vector store open: {Store}", store.Describe());
        }
        catch (Exception e)
        {
            OpenFailure = e;
            _logger.LogCritical(e, "The {Store} vector store could not be opened; stopping", o.Store);
            lifetime.StopApplication();
        }
    }
}
