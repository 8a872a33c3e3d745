namespace EmbeddingService.Retrieval;

/// <summary>
/// What made a collection's vectors: the model (architecture and weights fingerprint), how its output was pooled,
/// how images were resized, and the resulting dimension. Vectors from anything else are not comparable.
/// </summary>
/// <param name="Architecture">e.g. "vits14".</param>
/// <param name="WeightsFingerprint">The weights hash the engine reports (ModelDescriptor.WeightsFingerprint).</param>
/// <param name="Pooling">"cls", "mean" or "cls+mean".</param>
/// <param name="ResolutionPolicy">"center-crop" or "keep-aspect".</param>
/// <param name="Resolution">The policy's size in pixels.</param>
/// <param name="Dimension">The vector width.</param>
public sealed record CollectionModel(string Architecture, string WeightsFingerprint, string Pooling, string ResolutionPolicy, int Resolution, int Dimension)
{
    public string Describe() => $"{Architecture} weights {WeightsFingerprint}, {Pooling} pooling, {ResolutionPolicy} {Resolution}px, {Dimension} dims";

    /// <summary>Why vectors made by <paramref name="other"/> do not belong here, or null when they do.</summary>
    public string? MismatchWith(CollectionModel other)
    {
        var differences = new List<string>();
        if (Architecture != other.Architecture) differences.Add($"architecture {other.Architecture} instead of {Architecture}");
        if (WeightsFingerprint != other.WeightsFingerprint) differences.Add($"weights {other.WeightsFingerprint} instead of {WeightsFingerprint}");
        if (Pooling != other.Pooling) differences.Add($"pooling {other.Pooling} instead of {Pooling}");
        if (ResolutionPolicy != other.ResolutionPolicy || Resolution != other.Resolution)
            differences.Add($"preprocessing {other.ResolutionPolicy} {other.Resolution}px instead of {ResolutionPolicy} {Resolution}px");
        if (Dimension != other.Dimension) differences.Add($"dimension {other.Dimension} instead of {Dimension}");
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }
}
