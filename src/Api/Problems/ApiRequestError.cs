namespace EmbeddingService.Api.Problems;

/// <summary>A request that cannot be served as sent; carries its problem code and, in batches, the input index.</summary>
public sealed class ApiRequestError(string code, string message, int? index = null) : Exception(message)
{
    public string Code { get; } = code;
    public int? Index { get; } = index;
}
