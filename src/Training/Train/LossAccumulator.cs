using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>Sums weighted loss terms for one backward and records each for display under its official name.</summary>
internal sealed class LossAccumulator(Device device)
{
    private readonly Dictionary<string, double> _lossDict = [];
    private readonly Dictionary<string, double> _indicators = [];

    public Tensor Total { get; private set; } = zeros([], device: device);

    /// <summary>Adds weight·term to the total; the loss dict shows term / displayDivisor (the official koleo and iBOT halves).</summary>
    public void Add(string name, Tensor term, double weight, double displayDivisor = 1)
    {
        _lossDict[name] = term.item<float>() / displayDivisor;
        Total = Total.Plus(term.Times(weight));
    }

    /// <summary>Records a measurement that is not part of the loss.</summary>
    public void Indicate(string name, double value) => _indicators[name] = value;

    public SslLosses Backward()
    {
        var total = Total.item<float>();
        Total.backward();
        return new SslLosses(_lossDict, total) { Indicators = _indicators };
    }
}
