using System.Collections.Concurrent;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;
using EmbeddingService.Engine.Scheduling;

namespace EmbeddingService.Engine.Tests.Scheduling;

/// <summary>
/// A model stand-in for scheduling tests: patch 14, no registers, records the images of every forward, and can hold
/// a forward until released, so a test can act while the executor is busy without relying on timing.
/// </summary>
internal sealed class ScriptedEmbedder : IBatchEmbedder
{
    private const int PatchSize = 14;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private readonly ManualResetEventSlim _open = new(true);
    private readonly SemaphoreSlim _entered = new(0);

    public ConcurrentQueue<PreprocessedImage[]> Forwards { get; } = new();

    public static EmbeddingWork Work(int side, TimeSpan? timeout = null) =>
        new(new PreprocessedImage(side, side, new float[3 * side * side]), new EmbedOptions(), DateTimeOffset.UtcNow + (timeout ?? Patience));

    public int TokenCount(int height, int width) => 1 + height / PatchSize * (width / PatchSize);

    /// <summary>Forwards from now on wait in the model until <see cref="Release"/>.</summary>
    public void Hold() => _open.Reset();

    public void Release() => _open.Set();

    /// <summary>Completes when a forward has started (one per forward).</summary>
    public async Task WaitForForwardAsync()
    {
        if (!await _entered.WaitAsync(Patience)) throw new TimeoutException("no forward started");
    }

    /// <summary>The index of the forward that computed <paramref name="image"/>, or -1.</summary>
    public int ForwardOf(PreprocessedImage image) => Forwards.ToList().FindIndex(f => f.Contains(image));

    public IReadOnlyList<ImageEmbedding> Embed(IReadOnlyList<PreprocessedImage> images, IReadOnlyList<EmbedOptions> options)
    {
        Forwards.Enqueue(images.ToArray());
        _entered.Release();
        if (!_open.Wait(Patience)) throw new TimeoutException("the held forward was never released");
        return images.Select(i => new ImageEmbedding([i.Height], i.Height / PatchSize, i.Width / PatchSize, TokenCount(i.Height, i.Width), null)).ToArray();
    }
}
