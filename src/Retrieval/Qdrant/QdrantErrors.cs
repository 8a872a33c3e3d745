using Grpc.Core;

namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>Qdrant's gRPC failures as <see cref="RetrievalException"/>s, in terms of the caller's collection names.</summary>
internal static class QdrantErrors
{
    /// <param name="url">The server, named in every Unavailable message so that an operator knows what to check.</param>
    /// <param name="collection">The caller's name of the collection the call was about, when it was about one.</param>
    public static Exception Translate(RpcException e, string url, string? collection, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return new OperationCanceledException("The Qdrant call was cancelled.", e, cancellationToken);
        var detail = e.Status.Detail;
        return e.StatusCode switch
        {
            StatusCode.NotFound when collection is not null =>
                StoreFailures.CollectionNotFound(collection, e),
            StatusCode.AlreadyExists or StatusCode.InvalidArgument when collection is not null && IsAlreadyExists(e) =>
                new RetrievalException(RetrievalError.CollectionExists, $"Collection '{collection}' already exists.", inner: e),
            StatusCode.InvalidArgument when detail.Contains("dimension", StringComparison.OrdinalIgnoreCase) =>
                new RetrievalException(RetrievalError.DimensionMismatch, $"Qdrant refused a vector of collection '{collection}': {detail}", inner: e),
            StatusCode.InvalidArgument =>
                new RetrievalException(RetrievalError.InvalidArgument, $"Qdrant refused the request{About(collection)}: {detail}", inner: e),
            StatusCode.DeadlineExceeded =>
                new RetrievalException(RetrievalError.Unavailable, $"Qdrant at {url} did not answer in time{About(collection)}: {detail}", inner: e),
            StatusCode.Unauthenticated or StatusCode.PermissionDenied =>
                new RetrievalException(RetrievalError.Unavailable, $"Qdrant at {url} refused the API key ({e.StatusCode}): {detail}", inner: e),
            _ => new RetrievalException(RetrievalError.Unavailable, $"Qdrant at {url} is unavailable{About(collection)} ({e.StatusCode}): {detail}", inner: e),
        };
    }

    /// <summary>Qdrant reports creating an existing collection as AlreadyExists or, in some versions, as a bad input.</summary>
    private static bool IsAlreadyExists(RpcException e) =>
        e.StatusCode == StatusCode.AlreadyExists || e.Status.Detail.Contains("already exists", StringComparison.OrdinalIgnoreCase);

    private static string About(string? collection) => collection is null ? "" : $" (collection '{collection}')";
}
