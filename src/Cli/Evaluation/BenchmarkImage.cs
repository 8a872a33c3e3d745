namespace EmbeddingService.Cli.Evaluation;

/// <summary>An original of the benchmark as read from its file: indexed under its file name, and queried unless it is a distractor.</summary>
public sealed record BenchmarkImage(string Id, byte[] Bytes, bool IsDistractor)
{
    public string Role => IsDistractor ? "distractor" : "original";
}
