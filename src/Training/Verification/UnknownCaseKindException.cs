namespace EmbeddingService.Training.Verification;

/// <summary>A case folder whose manifest names no kind this project can verify.</summary>
public sealed class UnknownCaseKindException(string? kind, IEnumerable<string> known)
    : Exception($"{(kind is null ? "the manifest names no case kind" : $"unknown case kind '{kind}'")}; known kinds: {string.Join(", ", known)}")
{
    public string? Kind { get; } = kind;
}
