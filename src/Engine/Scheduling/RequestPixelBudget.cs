namespace EmbeddingService.Engine.Scheduling;

/// <summary>
/// The decoded pixels one request may still spend (<see cref="SchedulerOptions.MaxRequestPixels"/>): charge each
/// image's size before decoding or resizing it, so one request cannot hold the decoders for minutes. Thread-safe, as a
/// request's images decode in parallel.
/// </summary>
public sealed class RequestPixelBudget(long maxPixels)
{
    private long _spent;

    public long MaxPixels { get; } = maxPixels;

    /// <summary>Throws <see cref="SchedulerRejectedException"/> (<see cref="SchedulerRejection.RequestTooLarge"/>) once the request's pixels exceed the budget.</summary>
    public void Charge(int width, int height)
    {
        var spent = Interlocked.Add(ref _spent, (long)width * height);
        if (spent > MaxPixels)
            throw new SchedulerRejectedException(SchedulerRejection.RequestTooLarge,
                $"the request's images have more than {MaxPixels} decoded pixels in all (this {width}x{height} image brought it to {spent}); send fewer or smaller images per request");
    }
}
