using EmbeddingService.Engine.Text;
using System.Diagnostics;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Problems;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Retrieval;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Collections;

/// <summary>
/// Collections, points and searches for the REST and gRPC surfaces alike. Images are embedded with the
/// collection's own pooling and preprocessing through the serving pipeline; a collection made by another model
/// refuses images (model_mismatch), while supplied vectors only need the collection's dimension. A failure is an
/// <see cref="ApiRequestError"/> with a problem code, or the store's <see cref="RetrievalException"/>, which the
/// error path converts with the same table (<see cref="ApiRequestError.From"/>).
/// </summary>
public sealed class RetrievalService(VectorStoreHost stores, EmbeddingRuntime runtime, IOptions<RetrievalOptions> retrievalOptions, IOptions<ServingOptions> servingOptions)
{
    private readonly RetrievalOptions _options = retrievalOptions.Value;
    private readonly ServingOptions _serving = servingOptions.Value;

    public RetrievalOptions Options => _options;

    /// <summary>Creates a collection bound to the served model with the given embedding options; Created is false when it already existed alike.</summary>
    /// <param name="index">null: the store's default (<see cref="CollectionSettings"/>).</param>
    public async Task<(CollectionInfo Info, bool Created)> CreateCollectionAsync(string name, EmbedRequestOptions embedding, IndexKind? index, CancellationToken cancellationToken)
    {
        var store = Store();
        var model = ModelFor(runtime.Current?.Model.Descriptor ?? throw NotReady(), embedding);
        var existing = await store.GetCollectionAsync(name, cancellationToken);
        var settings = index is { } kind ? new CollectionSettings(model, kind) : new CollectionSettings(model);
        var info = await store.CreateCollectionAsync(name, settings, cancellationToken);
        return (info, existing is null);
    }

    /// <summary>The embedding options a new collection gets when the request names none.</summary>
    public EmbedOptionsParser EmbeddingOptions => runtime.Options;

    public Task<CollectionInfo> GetCollectionAsync(string name, CancellationToken cancellationToken) => CollectionAsync(Store(), name, cancellationToken);

    public Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken cancellationToken) => Store().ListCollectionsAsync(cancellationToken);

    public async Task DeleteCollectionAsync(string name, CancellationToken cancellationToken)
    {
        var store = Store();
        if (!await store.DeleteCollectionAsync(name, cancellationToken))
            throw CollectionNotFound(name);
    }

    /// <summary>All or nothing: a point that cannot be embedded or stored fails the request with its index, and nothing is written.</summary>
    public async Task<UpsertOutcome> UpsertAsync(string name, IReadOnlyList<PointInput> points, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (points.Count == 0) throw new ApiRequestError(ApiProblems.InvalidArgument, "the request holds no points");
        if (points.Count > _options.MaxPointsPerRequest)
            throw new ApiRequestError(ApiProblems.TooManyPoints, $"{points.Count} points in one request; at most {_options.MaxPointsPerRequest}");
        var store = Store();
        var collection = await CollectionAsync(store, name, cancellationToken);
        var watch = Stopwatch.StartNew();
        var vectors = points.Select(p => p.Vector).ToArray();
        var images = await EmbedIntoAsync(collection, points.Select(p => p.Image).ToArray(), vectors, numbered: true, deadline, cancellationToken);
        var embedMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var batch = points.Select((p, i) => new VectorPoint(p.Id, vectors[i], p.Payload)).ToArray();
        await store.UpsertAsync(name, batch, cancellationToken);
        return new UpsertOutcome(points.Count, images, embedMs, watch.Elapsed.TotalMilliseconds);
    }

    public async Task<StoredPoint> GetPointAsync(string name, string id, CancellationToken cancellationToken)
    {
        var store = Store();
        await CollectionAsync(store, name, cancellationToken);
        return await store.GetPointAsync(name, id, cancellationToken) ?? throw PointNotFound(name, id);
    }

    public async Task DeletePointAsync(string name, string id, CancellationToken cancellationToken)
    {
        var store = Store();
        await CollectionAsync(store, name, cancellationToken);
        if (await store.DeletePointsAsync(name, [id], cancellationToken) == 0)
            throw PointNotFound(name, id);
    }

    /// <summary>
    /// Runs the queries in order. A query by point id searches with that point's vector and leaves the point
    /// itself out of its hits. Image queries are embedded together; one that fails fails the request, naming its
    /// index when <paramref name="batch"/> (a single search is "the search", with no index).
    /// </summary>
    public async Task<SearchOutcome> SearchAsync(string name, IReadOnlyList<QueryInput> queries, bool batch, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (queries.Count == 0) throw new ApiRequestError(ApiProblems.InvalidArgument, "the request holds no searches");
        if (queries.Count > _options.MaxSearchesPerRequest)
            throw new ApiRequestError(ApiProblems.TooManySearches, $"{queries.Count} searches in one request; at most {_options.MaxSearchesPerRequest}");
        var store = Store();
        var collection = await CollectionAsync(store, name, cancellationToken);
        for (var i = 0; i < queries.Count; i++)
        {
            if (queries[i].K < 1 || queries[i].K > _options.MaxK)
                throw new ApiRequestError(ApiProblems.InvalidArgument, $"{SearchLabel(i, batch)}: k must be between 1 and {_options.MaxK}, not {queries[i].K}", batch ? i : null);
        }
        var watch = Stopwatch.StartNew();
        var vectors = queries.Select(q => q.Vector).ToArray();
        var images = await EmbedIntoAsync(collection, queries.Select(q => q.Image).ToArray(), vectors, numbered: batch, deadline, cancellationToken);
        for (var i = 0; i < queries.Count; i++)
        {
            if (queries[i].PointId is { } id)
                vectors[i] = (await store.GetPointAsync(name, id, cancellationToken) ?? throw PointNotFound(name, id, batch ? i : null)).Vector;
        }
        var embedMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        // A query by id asks for one more hit, since its own point comes back first.
        var storeQueries = queries.Select((q, i) => new SearchQuery(vectors[i], q.PointId is null ? q.K : q.K + 1, q.Filter, q.ScoreThreshold)).ToArray();
        var results = storeQueries.Length == 1
            ? [await store.SearchAsync(name, storeQueries[0], cancellationToken)]
            : await store.SearchBatchAsync(name, storeQueries, cancellationToken);
        var hits = results.Select((r, i) => queries[i].PointId is { } self ? r.Where(h => h.Id != self).Take(queries[i].K).ToArray() : r).ToArray();
        return new SearchOutcome(hits, images, embedMs, watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>The name of query <paramref name="index"/> in messages: its place in a batch, or "the search" when it is the only one.</summary>
    public static string SearchLabel(int index, bool batch) => batch ? $"search {index}" : "the search";

    /// <summary>
    /// Embeds the items that are images, together, into their places in <paramref name="vectors"/>; returns how many there were.
    /// A failure names its item's place among <paramref name="items"/> when <paramref name="numbered"/>, else none.
    /// </summary>
    private async Task<int> EmbedIntoAsync(CollectionInfo collection, EmbedInput?[] items, float[]?[] vectors, bool numbered, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var indexes = Enumerable.Range(0, items.Length).Where(i => items[i] is not null).ToArray();
        if (indexes.Length == 0) return 0;
        var embedded = await EmbedAsync(collection, indexes.Select(i => items[i]!).ToArray(), deadline, cancellationToken, i => numbered ? indexes[i] : null);
        for (var i = 0; i < indexes.Length; i++) vectors[indexes[i]] = embedded[i];
        return indexes.Length;
    }

    private async Task<float[][]> EmbedAsync(CollectionInfo collection, EmbedInput[] images, DateTimeOffset deadline, CancellationToken cancellationToken, Func<int, int?> requestIndex)
    {
        if (images.Length > _serving.MaxImagesPerRequest)
            throw new ApiRequestError(ApiProblems.TooManyImages, $"{images.Length} images in one request; at most {_serving.MaxImagesPerRequest}");
        var options = new EmbedRequestOptions(PoolingNames.Parse(collection.Model.Pooling), Normalize: true, StoredPolicy(collection.Model), collection.Model.Resolution, PatchFeatures: false);
        var result = await runtime.EmbedAsync(images, options, deadline, cancellationToken);
        if (!result.Succeeded)
        {
            var failure = result.Failure.WithIndex(result.Failure.Index is { } i ? requestIndex(i) : null);
            throw new ApiRequestError(failure.Code, failure.Message, failure.Index);
        }
        // Checked against the model that made the vectors: a hot swap may have replaced the one served when the call began.
        if (collection.Model.MismatchWith(ModelFor(result.Model, options)) is { } mismatch)
            throw new ApiRequestError(ApiProblems.ModelMismatch,
                $"collection '{collection.Name}' holds vectors of another model ({collection.Model.Describe()}); this service would embed with {mismatch}. Re-index into a new collection, or send vectors made by the collection's model");
        return result.Items.Select(i => i.Embedding.Vector).ToArray();
    }

    private static CollectionModel ModelFor(ModelDescriptor d, EmbedRequestOptions options) =>
        new CollectionModel(d.Architecture, d.WeightsFingerprint, options.Pooling.ToName(), KebabCaseNames<ResizePolicy>.Name(options.Policy), options.Resolution, options.Pooling.Width(d.Config.EmbedDim));

    private static ResizePolicy StoredPolicy(CollectionModel model) => KebabCaseNames<ResizePolicy>.TryParse(model.ResolutionPolicy, out var policy)
        ? policy
        : throw new ApiRequestError(ApiProblems.StoreCorrupt, $"the collection's resize policy '{model.ResolutionPolicy}' is not {KebabCaseNames<ResizePolicy>.Expected}");

    private static async Task<CollectionInfo> CollectionAsync(IVectorStore store, string name, CancellationToken cancellationToken) =>
        await store.GetCollectionAsync(name, cancellationToken) ?? throw CollectionNotFound(name);

    private IVectorStore Store() =>
        stores.Store ?? throw new ApiRequestError(ApiProblems.NotReady, $"the vector store is not available: {stores.State}");

    private static ApiRequestError NotReady() => new(ApiProblems.NotReady, "the model is still loading or the service is shutting down");

    private static ApiRequestError CollectionNotFound(string name) => new(ApiProblems.CollectionNotFound, $"there is no collection '{name}'");

    private static ApiRequestError PointNotFound(string name, string id, int? index = null) => new(ApiProblems.PointNotFound, $"collection '{name}' has no point '{id}'", index);
}
