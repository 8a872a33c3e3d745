using System.Text.Json.Nodes;

namespace EmbeddingService.Cli.Evaluation;

/// <summary>Everything a retrieval benchmark run found, and the JSON object embedctl prints for it.</summary>
public sealed record RetrievalRun
{
    public required Uri Url { get; init; }

    public required ServiceInfo Service { get; init; }

    public required string Collection { get; init; }

    public required bool CollectionCreated { get; init; }

    public required bool CollectionDeleted { get; init; }

    public required RetrievalEvaluationSettings Settings { get; init; }

    public required BenchmarkImages Images { get; init; }

    /// <summary>Originals indexed, each the source of the queries.</summary>
    public required int Originals { get; init; }

    /// <summary>Distractors indexed.</summary>
    public required int Distractors { get; init; }

    public required IReadOnlyList<PointError> IndexErrors { get; init; }

    public required IReadOnlyList<QueryOutcome> Queries { get; init; }

    public required double IndexSeconds { get; init; }

    public required double QuerySeconds { get; init; }

    public JsonObject ToJson()
    {
        var perTransform = new JsonObject();
        foreach (var transform in Settings.Transforms)
        {
            var ranks = Queries.Where(q => q.Transform == transform).Select(q => q.Rank).ToArray();
            if (ranks.Length > 0) perTransform[transform] = Scores(ranks);
        }
        var queryErrors = new JsonObject();
        foreach (var group in Queries.Where(q => q.Error is not null).GroupBy(q => q.Error!).OrderBy(g => g.Key, StringComparer.Ordinal))
            queryErrors[group.Key] = group.Count();
        return new JsonObject
        {
            ["command"] = "eval retrieval",
            ["service"] = new JsonObject
            {
                ["url"] = Url.ToString(),
                ["model"] = Service.Model,
                ["architecture"] = Service.Architecture,
                ["random_weights"] = Service.RandomWeights,
                ["weights_fingerprint"] = Service.WeightsFingerprint,
            },
            ["collection"] = new JsonObject { ["name"] = Collection, ["created"] = CollectionCreated, ["deleted"] = CollectionDeleted },
            ["settings"] = new JsonObject
            {
                ["seed"] = Settings.Seed,
                ["k"] = Settings.K,
                ["batch"] = Settings.Batch,
                ["queries_per_image"] = Settings.QueriesPerImage,
                ["distractor_fraction"] = Images.DistractorFraction,
                ["transforms"] = new JsonArray(Settings.Transforms.Select(t => (JsonNode)t).ToArray()),
            },
            ["counts"] = new JsonObject
            {
                ["image_files"] = Images.All.Count + Images.Unreadable,
                ["unreadable"] = Images.Unreadable,
                ["originals"] = Originals,
                ["distractors"] = Distractors,
                ["index_failed"] = IndexErrors.Count,
                ["queries"] = Queries.Count,
                ["failed"] = Queries.Count(q => q.Error is not null),
            },
            ["metrics"] = Queries.Count == 0 ? null : Scores(Queries.Select(q => q.Rank).ToArray()),
            ["per_transform"] = perTransform,
            ["timings"] = new JsonObject
            {
                ["index_seconds"] = Math.Round(IndexSeconds, 3),
                ["query_seconds"] = Math.Round(QuerySeconds, 3),
                ["queries_per_s"] = QuerySeconds > 0 ? Math.Round(Queries.Count / QuerySeconds, 2) : null,
            },
            ["index_errors"] = new JsonArray(IndexErrors.Select(e => (JsonNode)new JsonObject { ["id"] = e.Id, ["code"] = e.Code, ["detail"] = e.Detail }).ToArray()),
            ["query_errors"] = queryErrors,
        };
    }

    /// <summary>Failed queries count as misses; mAP is over the top-k lists (mAP@k).</summary>
    private JsonObject Scores(int?[] ranks)
    {
        var scores = RetrievalMetrics.Score(ranks, Settings.K);
        return new JsonObject
        {
            ["queries"] = scores.Queries,
            ["recall_at_1"] = Math.Round(scores.RecallAt1, 4),
            ["recall_at_10"] = Math.Round(scores.RecallAt10, 4),
            ["map_at_k"] = Math.Round(scores.MeanAveragePrecisionAtK, 4),
        };
    }
}
