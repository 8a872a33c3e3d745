namespace EmbeddingService.Training.Train;

/// <summary>
/// The loss dict of one step, under the official names and with the official display scaling (koleo and iBOT halved),
/// plus the total that was back-propagated. Terms a recipe does not have are absent. <see cref="Indicators"/> are
/// measurements, not losses (<see cref="CollapseIndicators"/>).
/// </summary>
public sealed record SslLosses(IReadOnlyDictionary<string, double> LossDict, double TotalBackpropagated)
{
    public IReadOnlyDictionary<string, double> Indicators { get; init; } = new Dictionary<string, double>();
}
