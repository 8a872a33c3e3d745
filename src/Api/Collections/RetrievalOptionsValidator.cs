using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Collections;

/// <summary>The rules of section "Retrieval" beyond its annotations: a Qdrant store needs valid Qdrant settings.</summary>
public sealed class RetrievalOptionsValidator : IValidateOptions<RetrievalOptions>
{
    public ValidateOptionsResult Validate(string? name, RetrievalOptions options) =>
        options.Store == RetrievalOptions.QdrantStore && options.Qdrant.Problems() is { Count: > 0 } problems
            ? ValidateOptionsResult.Fail(problems.Select(p => $"{RetrievalOptions.Section}:{nameof(options.Qdrant)}:{p}"))
            : ValidateOptionsResult.Success;
}
