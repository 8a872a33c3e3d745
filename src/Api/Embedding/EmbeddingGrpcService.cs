using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Problems;
using EmbeddingService.Engine.Inference;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Embedding;

/// <summary>The Embedding gRPC service: unary Embed and bidirectional EmbedStream through the embedding runtime.</summary>
public sealed class EmbeddingGrpcService(EmbeddingRuntime runtime, IOptions<ServingOptions> servingOptions, RequestLogEnricher log) : V1.Embedding.EmbeddingBase
{
    private readonly ServingOptions serving = servingOptions.Value;

    public override async Task<V1.EmbedResponse> Embed(V1.EmbedRequest request, ServerCallContext context)
    {
        var parser = runtime.Options;
        if (request.Images.Count == 0) throw new ApiRequestError(ApiProblems.InvalidArgument, "the request holds no images");
        if (request.Images.Count > serving.MaxImagesPerRequest)
            throw new ApiRequestError(ApiProblems.TooManyImages, $"{request.Images.Count} images in one request; at most {serving.MaxImagesPerRequest}");
        var options = GrpcEmbedOptions.Parse(parser, request.Options);
        var inputs = request.Images.Select(i => new EmbedInput(i.Image.Memory, string.IsNullOrEmpty(i.Id) ? null : i.Id)).ToArray();
        var result = await runtime.EmbedAsync(inputs, options, GrpcDeadline.Of(context, serving), context.CancellationToken);
        if (!result.Succeeded) throw new ApiRequestError(result.Failure.Code, result.Failure.Message);

        var response = new V1.EmbedResponse
        {
            Model = result.Model.DisplayName,
            RandomWeights = result.Model.IsRandom,
            Dim = result.Items[0].Embedding.Vector.Length,
            Pooling = options.Pooling.ToName(),
            Tokens = result.Tokens,
            Timings = new V1.Timings { DecodeMs = result.DecodeMs, QueueMs = result.QueueMs, InferenceMs = result.InferenceMs },
        };
        response.Embeddings.AddRange(result.Items.Select(ToMessage));
        log.Record(result.Items.Count, result.Tokens, result.QueueMs, result.InferenceMs);
        return response;
    }

    public override async Task EmbedStream(IAsyncStreamReader<V1.EmbedStreamRequest> requestStream, IServerStreamWriter<V1.EmbedStreamResponse> responseStream, ServerCallContext context)
    {
        var parser = runtime.Options;
        var cancellation = context.CancellationToken;
        // Bounds the images of this stream in flight; while it is exhausted the stream is not read, so HTTP/2
        // flow control pushes back on the client instead of the queue filling up.
        using var inFlight = new SemaphoreSlim(serving.MaxInFlightPerStream);
        using var writeLock = new SemaphoreSlim(1);
        var pending = new List<Task>();
        var index = 0;
        var totals = new StreamTotals();
        while (await requestStream.MoveNext(cancellation))
        {
            var message = requestStream.Current;
            await inFlight.WaitAsync(cancellation);
            pending.Add(ProcessAsync(parser, message, index++, responseStream, writeLock, inFlight, totals, context));
            pending.RemoveAll(t => t.IsCompletedSuccessfully);
        }
        await Task.WhenAll(pending);
        log.Record(totals.Images, totals.Tokens, totals.MaxQueueMs, totals.MaxInferenceMs);
    }

    /// <summary>The figures of one stream for its request log line.</summary>
    private sealed class StreamTotals
    {
        private readonly Lock _gate = new();
        public int Images { get; private set; }
        public int Tokens { get; private set; }
        public double MaxQueueMs { get; private set; }
        public double MaxInferenceMs { get; private set; }

        public void Add(Embedded embedded)
        {
            lock (_gate)
            {
                Images++;
                Tokens += embedded.Embedding.Tokens;
                MaxQueueMs = Math.Max(MaxQueueMs, embedded.QueueTime.TotalMilliseconds);
                MaxInferenceMs = Math.Max(MaxInferenceMs, embedded.InferenceTime.TotalMilliseconds);
            }
        }
    }

    private async Task ProcessAsync(EmbedOptionsParser parser, V1.EmbedStreamRequest message, int index, IServerStreamWriter<V1.EmbedStreamResponse> responseStream,
        SemaphoreSlim writeLock, SemaphoreSlim inFlight, StreamTotals totals, ServerCallContext context)
    {
        try
        {
            var response = new V1.EmbedStreamResponse { Id = message.Id, Index = index };
            try
            {
                var options = GrpcEmbedOptions.Parse(parser, message.Options);
                var result = await runtime.EmbedOneAsync(index, new EmbedInput(message.Image.Memory, message.Id), options, GrpcDeadline.Of(context, serving), context.CancellationToken);
                if (!result.Succeeded)
                    response.Error = new V1.EmbedError { Code = result.Failure.Code, Message = result.Failure.Message };
                else
                {
                    var embedded = result.Items[0];
                    totals.Add(embedded);
                    response.Embedding = ToMessage(embedded);
                    response.Timings = new V1.Timings
                    {
                        DecodeMs = embedded.DecodeTime.TotalMilliseconds,
                        QueueMs = embedded.QueueTime.TotalMilliseconds,
                        InferenceMs = embedded.InferenceTime.TotalMilliseconds,
                    };
                }
            }
            catch (ApiRequestError e)
            {
                // One bad message fails that message, not the stream.
                response.Error = new V1.EmbedError { Code = e.Code, Message = e.Message };
            }
            await writeLock.WaitAsync(context.CancellationToken);
            try
            {
                await responseStream.WriteAsync(response, context.CancellationToken);
            }
            finally
            {
                writeLock.Release();
            }
        }
        finally
        {
            inFlight.Release();
        }
    }

    private static V1.ImageEmbedding ToMessage(Embedded embedded)
    {
        var embedding = embedded.Embedding;
        var message = new V1.ImageEmbedding
        {
            Index = embedded.Index,
            Id = embedded.Id ?? "",
            GridHeight = embedding.GridHeight,
            GridWidth = embedding.GridWidth,
            Tokens = embedding.Tokens,
        };
        message.Vector.AddRange(embedding.Vector);
        if (embedding.PatchFeatures is { } patches) message.PatchFeatures.AddRange(patches);
        return message;
    }
}
