using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Problems;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Embedding;

/// <summary>The Embedding gRPC service: unary Embed and bidirectional EmbedStream over the shared pipeline.</summary>
public sealed class EmbeddingGrpcService(EmbeddingRuntime runtime, IOptions<ServingOptions> servingOptions, RequestLogEnricher log) : V1.Embedding.EmbeddingBase
{
    private readonly ServingOptions serving = servingOptions.Value;

    public override async Task<V1.EmbedResponse> Embed(V1.EmbedRequest request, ServerCallContext context)
    {
        var ready = Ready();
        if (request.Images.Count == 0) throw new ApiRequestError(ApiProblems.InvalidArgument, "the request holds no images");
        if (request.Images.Count > serving.MaxImagesPerRequest)
            throw new ApiRequestError(ApiProblems.TooManyImages, $"{request.Images.Count} images in one request; at most {serving.MaxImagesPerRequest}");
        var options = GrpcEmbedOptions.Parse(ready.Options, request.Options);
        var inputs = request.Images.Select(i => new EmbedInput(i.Image.Memory, string.IsNullOrEmpty(i.Id) ? null : i.Id)).ToArray();
        var outcomes = await ready.Pipeline.EmbedAllAsync(inputs, options, GrpcDeadline.Of(context, serving), context.CancellationToken);
        var summary = EmbedSummary.Of(outcomes);
        if (summary.Failed is { } failed)
            throw new ApiRequestError(failed.Failure!.Code, failed.Failure.Message);

        var response = new V1.EmbedResponse
        {
            Model = ready.Model.Descriptor.DisplayName,
            RandomWeights = ready.Model.Descriptor.IsRandom,
            Dim = outcomes[0].Result!.Embedding.Vector.Length,
            Pooling = options.Pooling.ToName(),
            Tokens = summary.Tokens,
            Timings = new V1.Timings { DecodeMs = summary.DecodeMs, QueueMs = summary.QueueMs, InferenceMs = summary.InferenceMs },
        };
        response.Embeddings.AddRange(outcomes.Select(ToMessage));
        log.Record(summary.Images, summary.Tokens, summary.QueueMs, summary.InferenceMs);
        return response;
    }

    public override async Task EmbedStream(IAsyncStreamReader<V1.EmbedStreamRequest> requestStream, IServerStreamWriter<V1.EmbedStreamResponse> responseStream, ServerCallContext context)
    {
        var ready = Ready();
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
            pending.Add(ProcessAsync(ready, message, index++, responseStream, writeLock, inFlight, totals, context));
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

        public void Add(EmbedOutcome outcome)
        {
            lock (_gate)
            {
                Images++;
                Tokens += outcome.Result!.Embedding.Tokens;
                MaxQueueMs = Math.Max(MaxQueueMs, outcome.Result.QueueTime.TotalMilliseconds);
                MaxInferenceMs = Math.Max(MaxInferenceMs, outcome.Result.InferenceTime.TotalMilliseconds);
            }
        }
    }

    private async Task ProcessAsync(EmbeddingRuntime.Ready ready, V1.EmbedStreamRequest message, int index, IServerStreamWriter<V1.EmbedStreamResponse> responseStream,
        SemaphoreSlim writeLock, SemaphoreSlim inFlight, StreamTotals totals, ServerCallContext context)
    {
        try
        {
            var response = new V1.EmbedStreamResponse { Id = message.Id };
            try
            {
                var options = GrpcEmbedOptions.Parse(ready.Options, message.Options);
                var outcome = await ready.Pipeline.EmbedOneAsync(index, new EmbedInput(message.Image.Memory, message.Id), options, GrpcDeadline.Of(context, serving), context.CancellationToken);
                if (outcome.Failure is { } failure)
                    response.Error = new V1.EmbedError { Code = failure.Code, Message = failure.Message };
                else
                {
                    totals.Add(outcome);
                    response.Embedding = ToMessage(outcome);
                    response.Timings = new V1.Timings
                    {
                        DecodeMs = outcome.DecodeTime.TotalMilliseconds,
                        QueueMs = outcome.Result!.QueueTime.TotalMilliseconds,
                        InferenceMs = outcome.Result.InferenceTime.TotalMilliseconds,
                    };
                }
            }
            catch (ApiRequestError e)
            {
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

    private EmbeddingRuntime.Ready Ready() =>
        runtime.Current ?? throw new ApiRequestError(ApiProblems.NotReady, "the model is still loading or the service is shutting down");

    private static V1.ImageEmbedding ToMessage(EmbedOutcome outcome)
    {
        var embedding = outcome.Result!.Embedding;
        var message = new V1.ImageEmbedding
        {
            Index = outcome.Index,
            Id = outcome.Id ?? "",
            GridHeight = embedding.GridHeight,
            GridWidth = embedding.GridWidth,
            Tokens = embedding.Tokens,
        };
        message.Vector.AddRange(embedding.Vector);
        if (embedding.PatchFeatures is { } patches) message.PatchFeatures.AddRange(patches);
        return message;
    }
}
