using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Tests.Model;

public sealed class ScalarArithmeticTests
{
    public ScalarArithmeticTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void IntegerTensorsStayIntegerAndFloatTensorsFloat()
    {
        using var scope = NewDisposeScope();
        var indices = arange(4L);
        var shifted = indices.Times(3L).Plus(5L).Plus(arange(4L));
        Assert.Equal(ScalarType.Int64, shifted.dtype);
        Assert.Equal([5L, 9L, 13L, 17L], shifted.data<long>().ToArray());
        Assert.Equal(ScalarType.Int64, arange(3L).ClampedBelow(1L).dtype);

        var values = tensor(new[] { 1f, -2f, 4f });
        Assert.Equal([2.5f, -5f, 10f], values.Times(2.5).data<float>().ToArray());
        Assert.Equal([0.5f, -1f, 2f], values.DividedBy(2).data<float>().ToArray());
        Assert.Equal([1f, 0f, 4f], values.ClampedBelow(0.0).data<float>().ToArray());
        Assert.Equal([true, true, false], values.LessThan(2).data<bool>().ToArray());
        Assert.Equal([2f, -4f, 8f], values.Plus(values).data<float>().ToArray());
    }

    /// <summary>
    /// The arithmetic under constant collections and finalizer runs: a Scalar finalized mid-call (the TorchSharp 0.107
    /// behaviour of implicit Scalars) shows up as a wrong value or a libtorch error here.
    /// </summary>
    [Fact]
    public async Task ValuesStayRightWhileTheCollectorRunsFinalizers()
    {
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        try
        {
            // Built without any number argument of their own, so only the arithmetic under test makes Scalars.
            using var threes = tensor(Enumerable.Repeat(3f, 8).ToArray());
            using var indices = tensor(new long[] { 0, 1 });
            for (var i = 0; i < 100_000; i++)
            {
                using var scope = NewDisposeScope();
                var y = threes.Times(0.5).Plus(threes).DividedBy(3).ClampedBelow(0.25);
                Assert.Equal(1.5f, y[0].item<float>());
                Assert.Equal(8L, indices.Times(3L).Plus(4L).Plus(indices)[1].item<long>());
            }
        }
        finally
        {
            stop.Cancel();
            await collector;
        }
    }
}
