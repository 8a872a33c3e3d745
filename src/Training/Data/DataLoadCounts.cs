namespace EmbeddingService.Training.Data;

/// <summary>
/// What a loader has read so far. <see cref="ImagesDecoded"/> and <see cref="SamplesReplaced"/> include batches built
/// ahead of the run, so they are progress figures; which files are unreadable is a fact of the dataset.
/// </summary>
/// <param name="ImagesDecoded">Image files decoded into samples.</param>
/// <param name="SamplesReplaced">Samples whose image did not decode and that took the next image of the epoch's order instead.</param>
/// <param name="UnreadableFiles">Distinct files that did not decode (each is tried once, then skipped).</param>
/// <param name="UnreadableExamples">Up to ten of them, relative paths in ordinal order, each with the decoder's reason.</param>
public sealed record DataLoadCounts(long ImagesDecoded, long SamplesReplaced, int UnreadableFiles, IReadOnlyList<string> UnreadableExamples);
