namespace EmbeddingService.Training.Data;

/// <summary>One image file of a dataset: its path relative to the root ('/'-separated) and its class index, -1 when unlabelled.</summary>
public sealed record DatasetImage(string RelativePath, int Label);
