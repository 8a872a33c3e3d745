using EmbeddingService.Retrieval.Qdrant;
using Grpc.Core;

namespace EmbeddingService.Retrieval.Tests.Qdrant;

/// <summary>Qdrant's gRPC statuses as the store's errors.</summary>
public sealed class QdrantErrorsTests
{
    private const string Url = "http://qdrant:6334";

    private static RetrievalException Translate(StatusCode code, string detail, string? collection = "photos") =>
        Assert.IsType<RetrievalException>(QdrantErrors.Translate(new RpcException(new Status(code, detail)), Url, collection, CancellationToken.None));

    [Theory]
    [InlineData(StatusCode.NotFound, "Not found: Collection `embeddings_photos` doesn't exist!", RetrievalError.CollectionNotFound)]
    [InlineData(StatusCode.AlreadyExists, "Collection `embeddings_photos` already exists!", RetrievalError.CollectionExists)]
    [InlineData(StatusCode.InvalidArgument, "Wrong input: Collection `embeddings_photos` already exists!", RetrievalError.CollectionExists)]
    [InlineData(StatusCode.InvalidArgument, "Wrong input: Vector dimension error: expected dim: 4, got 3", RetrievalError.DimensionMismatch)]
    [InlineData(StatusCode.InvalidArgument, "Wrong input: bad request", RetrievalError.InvalidArgument)]
    public void RequestErrorsKeepTheirMeaning(StatusCode code, string detail, RetrievalError expected)
    {
        var e = Translate(code, detail);

        Assert.Equal(expected, e.Error);
        Assert.Contains("photos", e.Message);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.DeadlineExceeded)]
    [InlineData(StatusCode.Unauthenticated)]
    [InlineData(StatusCode.PermissionDenied)]
    [InlineData(StatusCode.ResourceExhausted)]
    [InlineData(StatusCode.Internal)]
    public void ServerAndNetworkErrorsAreUnavailableAndNameTheServer(StatusCode code)
    {
        var e = Translate(code, "it broke");

        Assert.Equal(RetrievalError.Unavailable, e.Error);
        Assert.Contains(Url, e.Message);
        Assert.Contains("it broke", e.Message);
    }

    [Fact]
    public void NotFoundOutsideACollectionCallIsUnavailable()
    {
        Assert.Equal(RetrievalError.Unavailable, Translate(StatusCode.NotFound, "no route", collection: null).Error);
    }

    [Fact]
    public void TheCallersCancellationStaysACancellation()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var e = QdrantErrors.Translate(new RpcException(new Status(StatusCode.Cancelled, "")), Url, "photos", cancelled.Token);

        Assert.Equal(cancelled.Token, Assert.IsType<OperationCanceledException>(e).CancellationToken);
    }
}
