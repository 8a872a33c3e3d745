using Grpc.Core;

namespace EmbeddingService.Api.Hosting;

/// <summary>When a gRPC call's work must be done: the client's deadline, else the configured default.</summary>
public static class GrpcDeadline
{
    public static DateTimeOffset Of(ServerCallContext context, ServingOptions serving) =>
        context.Deadline == DateTime.MaxValue
            ? DateTimeOffset.UtcNow.AddMilliseconds(serving.DefaultDeadlineMs)
            : new DateTimeOffset(context.Deadline.ToUniversalTime());
}
