using System.Collections.Concurrent;
using System.Diagnostics;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Problems;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Scheduling;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// Encoded images to embeddings: decode and transform on request threads (bounded, so decoding cannot starve
/// the executor), then submit to the scheduler. A multi-image request is all-or-nothing: if one input cannot be
/// decoded nothing is computed, and if one is refused the others are withdrawn before compute.
/// </summary>
public sealed class EmbeddingPipeline(EmbeddingScheduler scheduler, ModelDescriptor model, ServingOptions serving, int patchSize)
{
    private readonly SemaphoreSlim _decodeSlots = new(serving.DecodeConcurrency > 0 ? serving.DecodeConcurrency : Environment.ProcessorCount);
    private readonly ConcurrentDictionary<(ResizePolicy Policy, int Resolution), ImagePreprocessor> _preprocessors = new();
    private static readonly EmbedFailure NotComputed = new(ApiProblems.NotComputed, "not computed: another input of the request failed or the caller went away");

    private readonly ImageDecoder _decoder = new(new ImageLimits { MaxPixels = serving.MaxPixels, MaxBytes = serving.MaxBodyBytes });

    public async Task<EmbedResult> EmbedAllAsync(IReadOnlyList<EmbedInput> inputs, EmbedRequestOptions options, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var arrivals = scheduler.AnnounceArrivals(inputs.Count);
        var pixels = scheduler.NewPixelBudget();
        (EmbedOutcome Outcome, PreprocessedImage? Image)[] decoded;
        IReadOnlyList<Task<ScheduledEmbedding>> submitted;
        try
        {
            decoded = await Task.WhenAll(inputs.Select((input, index) => DecodeAsync(index, input, options, pixels, cancellationToken)));
            if (decoded.Any(d => d.Image is null))
                return Result(decoded.Select(d => d.Image is null ? d.Outcome : d.Outcome with { Failure = NotComputed }).ToArray());
            // One submission for the whole request: admitted all or none, and queued as one line the batch former
            // serves in turn with other requests', so a large request cannot hold back a small one.
            try
            {
                submitted = scheduler.SubmitRequest(decoded.Select(d => new EmbeddingWork(d.Image!, options.ToEmbedOptions(), deadline)).ToArray(), cancellationToken);
            }
            catch (SchedulerRejectedException e)
            {
                // Nothing was queued; the index names the one image to blame, and none when the request as a whole is too large.
                return EmbedResult.Failed(new EmbedFailure(CodeOf(e.Reason), e.Message, e.Index, e.Index is { } i ? inputs[i].Id : null));
            }
        }
        finally
        {
            arrivals.Dispose();
        }
        var results = new EmbedOutcome[decoded.Length];
        for (var i = 0; i < results.Length; i++)
            results[i] = await Completed(decoded[i].Outcome, submitted[i]);
        cancellationToken.ThrowIfCancellationRequested();
        return Result(results);
    }

    /// <summary>One image on its own (a streaming message): decode, then submit.</summary>
    public async Task<EmbedResult> EmbedOneAsync(int index, EmbedInput input, EmbedRequestOptions options, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        Task<EmbedOutcome> submitted;
        using (scheduler.AnnounceArrivals())
        {
            var decoded = await DecodeAsync(index, input, options, scheduler.NewPixelBudget(), cancellationToken);
            if (decoded.Image is null) return Result([decoded.Outcome]);
            submitted = SubmitAsync(decoded.Outcome, decoded.Image, options, deadline, cancellationToken);
        }
        var outcome = await submitted;
        cancellationToken.ThrowIfCancellationRequested();
        return Result([outcome]);
    }

    /// <summary>
    /// Every embedding, or the failure to report: inputs withdrawn because another one failed are never what the caller
    /// is told. A failure names the input to blame; one about the whole request (its queue or budgets) names none.
    /// </summary>
    private EmbedResult Result(IReadOnlyList<EmbedOutcome> outcomes)
    {
        var failed = outcomes.FirstOrDefault(o => o.Failure is not null && o.Failure.Code != ApiProblems.NotComputed) ?? outcomes.FirstOrDefault(o => o.Failure is not null);
        if (failed is not null) return EmbedResult.Failed(failed.Failure!);
        return EmbedResult.Success(model, outcomes.Select(o => new Embedded(o.Index, o.Id, o.Result!.Embedding, o.DecodeTime, o.Result.QueueTime, o.Result.InferenceTime)).ToArray());
    }

    private async Task<(EmbedOutcome Outcome, PreprocessedImage? Image)> DecodeAsync(int index, EmbedInput input, EmbedRequestOptions options, RequestPixelBudget pixels, CancellationToken cancellationToken)
    {
        // Under overload, refuse before spending CPU on decoding an image that cannot be queued.
        if (scheduler.IsFull)
            return (new EmbedOutcome(index, input.Id, null, new EmbedFailure(ApiProblems.Overloaded, $"the queue is full ({scheduler.Options.QueueCapacity} images waiting)"), TimeSpan.Zero), null);
        var preprocessor = _preprocessors.GetOrAdd((options.Policy, options.Resolution),
            key => new ImagePreprocessor(ResizePolicies.Create(key.Policy, key.Resolution, patchSize: patchSize), _decoder));
        await _decodeSlots.WaitAsync(cancellationToken);
        var watch = Stopwatch.StartNew();
        try
        {
            var image = await Task.Run(() => preprocessor.Process(input.Data.Span, pixels.Charge), cancellationToken);
            return (new EmbedOutcome(index, input.Id, null, null, watch.Elapsed), image);
        }
        catch (SchedulerRejectedException e)
        {
            // The request's pixel budget: the whole request is too large, not this image.
            return (new EmbedOutcome(index, input.Id, null, new EmbedFailure(CodeOf(e.Reason), e.Message), watch.Elapsed), null);
        }
        catch (ImageDecodeException e)
        {
            var failure = new EmbedFailure(
                e.Code is ImageDecodeError.TooManyPixels or ImageDecodeError.TooManyBytes ? ApiProblems.ImageTooLarge : ApiProblems.ImageDecodeFailed,
                e.Describe(), index, input.Id);
            return (new EmbedOutcome(index, input.Id, null, failure, watch.Elapsed), null);
        }
        finally
        {
            _decodeSlots.Release();
        }
    }

    private async Task<EmbedOutcome> SubmitAsync(EmbedOutcome decoded, PreprocessedImage image, EmbedRequestOptions options, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        Task<ScheduledEmbedding> submitted;
        try
        {
            submitted = scheduler.SubmitAsync(new EmbeddingWork(image, options.ToEmbedOptions(), deadline), cancellationToken);
        }
        catch (SchedulerRejectedException e)
        {
            return decoded with { Failure = new EmbedFailure(CodeOf(e.Reason), e.Message, decoded.Index, decoded.Id) };
        }
        return await Completed(decoded, submitted);
    }

    private static async Task<EmbedOutcome> Completed(EmbedOutcome decoded, Task<ScheduledEmbedding> submitted)
    {
        try
        {
            return decoded with { Result = await submitted };
        }
        catch (SchedulerRejectedException e)
        {
            return decoded with { Failure = new EmbedFailure(CodeOf(e.Reason), e.Message, decoded.Index, decoded.Id) };
        }
        catch (OperationCanceledException)
        {
            // The caller went away, or another input of the request failed: either way nothing is computed.
            return decoded with { Failure = NotComputed };
        }
    }

    private static string CodeOf(SchedulerRejection reason) => reason switch
    {
        SchedulerRejection.Overloaded => ApiProblems.Overloaded,
        SchedulerRejection.DeadlineExceeded => ApiProblems.DeadlineExceeded,
        SchedulerRejection.ImageTooLarge => ApiProblems.ImageTooLarge,
        SchedulerRejection.RequestTooLarge => ApiProblems.RequestTooLarge,
        _ => ApiProblems.NotReady,
    };
}
