using EmbeddingService.Api.Embedding;
using Grpc.Core;

namespace EmbeddingService.Api.Problems;

/// <summary>The gRPC status of each problem code, matching the REST mapping; the message starts with the code.</summary>
public static class GrpcProblems
{
    public static StatusCode StatusOf(string code) => code switch
    {
        ApiProblems.Overloaded => StatusCode.ResourceExhausted,
        ApiProblems.DeadlineExceeded => StatusCode.DeadlineExceeded,
        ApiProblems.NotReady or ApiProblems.StoreUnavailable => StatusCode.Unavailable,
        ApiProblems.CollectionNotFound or ApiProblems.PointNotFound or ApiProblems.NotFound => StatusCode.NotFound,
        ApiProblems.CollectionExists => StatusCode.AlreadyExists,
        ApiProblems.ModelMismatch => StatusCode.FailedPrecondition,
        ApiProblems.StoreCorrupt => StatusCode.DataLoss,
        ApiProblems.Internal => StatusCode.Internal,
        EmbedFailure.NotComputedCode => StatusCode.Cancelled,
        _ => StatusCode.InvalidArgument,
    };

    public static RpcException Exception(string code, string message) => new(new Status(StatusOf(code), $"{code}: {message}"));
}
