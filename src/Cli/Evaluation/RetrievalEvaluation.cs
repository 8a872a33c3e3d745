using System.Diagnostics;
using System.Security.Cryptography;
using EmbeddingService.Engine.Imaging;

namespace EmbeddingService.Cli.Evaluation;

/// <summary>
/// Runs a copy-detection benchmark through a service's REST API: creates an exact collection, indexes the originals and
/// distractors, searches with seeded copies of the originals that were indexed, and deletes the collection again if it made
/// it (unless kept), also when the run fails half-way. Only time spent in upsert and search calls counts, not making copies.
/// </summary>
public sealed class RetrievalEvaluation(RetrievalServiceClient service, RetrievalEvaluationSettings settings)
{
    /// <summary>Image bytes per request at most: as base64 (4/3 larger) well below the service's 20 MiB default body limit.</summary>
    public const long MaxImageBytesPerRequest = 8L * 1024 * 1024;

    private readonly ImageDecoder _decoder = new();

    public async Task<RetrievalRun> RunAsync(BenchmarkImages images, CancellationToken cancellationToken)
    {
        var info = await service.InfoAsync(cancellationToken);
        var collection = settings.Collection ?? $"eval-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        var created = await service.CreateCollectionAsync(collection, cancellationToken);
        var delete = created && !settings.Keep;
        RetrievalRun run;
        try
        {
            var (indexErrors, indexSeconds) = await IndexAsync(collection, images.All, cancellationToken);
            var rejected = indexErrors.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
            var indexed = images.All.Where(i => !rejected.Contains(i.Id)).ToArray();
            var (outcomes, querySeconds) = await QueryAsync(collection, indexed.Where(i => !i.IsDistractor), cancellationToken);
            run = new RetrievalRun
            {
                Url = service.BaseAddress,
                Service = info,
                Collection = collection,
                CollectionCreated = created,
                CollectionDeleted = delete,
                Settings = settings,
                Images = images,
                Originals = indexed.Count(i => !i.IsDistractor),
                Distractors = indexed.Count(i => i.IsDistractor),
                IndexErrors = indexErrors,
                Queries = outcomes,
                IndexSeconds = indexSeconds,
                QuerySeconds = querySeconds,
            };
        }
        catch when (delete)
        {
            await DeleteAfterFailureAsync(collection);
            throw;
        }
        if (delete)
            await service.DeleteCollectionAsync(collection, cancellationToken);
        return run;
    }

    private async Task<(IReadOnlyList<PointError> Errors, double Seconds)> IndexAsync(
        string collection, IReadOnlyList<BenchmarkImage> images, CancellationToken cancellationToken)
    {
        var errors = new List<PointError>();
        var clock = new Stopwatch();
        foreach (var batch in SizedBatches.Of(images, i => i.Bytes.Length, settings.Batch, MaxImageBytesPerRequest))
        {
            clock.Start();
            errors.AddRange(await service.UpsertAsync(collection, batch, cancellationToken));
            clock.Stop();
        }
        return (errors, clock.Elapsed.TotalSeconds);
    }

    private async Task<(IReadOnlyList<QueryOutcome> Outcomes, double Seconds)> QueryAsync(
        string collection, IEnumerable<BenchmarkImage> originals, CancellationToken cancellationToken)
    {
        var maker = new CopyQueryMaker(settings.Transforms, settings.QueriesPerImage, settings.Seed);
        var queries = originals.SelectMany(o => maker.Make(o.Id, _decoder.Decode(o.Bytes)));
        var outcomes = new List<QueryOutcome>();
        var clock = new Stopwatch();
        foreach (var batch in SizedBatches.Of(queries, q => q.Image.Length, settings.Batch, MaxImageBytesPerRequest))
        {
            clock.Start();
            var answers = await service.SearchAsync(collection, batch.Select(q => q.Image).ToArray(), settings.K, cancellationToken);
            clock.Stop();
            outcomes.AddRange(batch.Zip(answers, (query, answer) =>
                new QueryOutcome(query.Transform, answer.Error is null ? RetrievalMetrics.RankOf(answer.Ids, query.OriginalId) : null, answer.Error)));
        }
        return (outcomes, clock.Elapsed.TotalSeconds);
    }

    private async Task DeleteAfterFailureAsync(string collection)
    {
        try
        {
            await service.DeleteCollectionAsync(collection, CancellationToken.None);
        }
        catch (EvaluationException e)
        {
            Console.Error.WriteLine($"embedctl: could not delete collection {collection} after the failure: {e.Message}");
        }
    }
}
