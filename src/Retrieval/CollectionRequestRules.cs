using System.Globalization;
using System.Text.Json;

namespace EmbeddingService.Retrieval;

/// <summary>
/// Every argument rule of <see cref="IVectorStore"/> that needs no stored data, with its wording: collection names,
/// settings, point ids (<see cref="PointIds"/>), vectors, payloads, k, score thresholds, filters and batch sizes.
/// <see cref="ValidatingVectorStore"/> applies them above every store, so stores cannot drift apart (qdrant's
/// validation.rs is the model). What only a store knows, such as a collection's
/// dimension, it checks itself with the wording of <see cref="StoreFailures"/>. Failures are
/// <see cref="RetrievalError.InvalidArgument"/>; the item of a batch is named in the message and carried as the index.
/// </summary>
internal sealed class CollectionRequestRules(CollectionRequestLimits limits)
{
    /// <summary>
    /// The top-level payload key no store accepts: Qdrant keeps the point's string id there, and reserving it
    /// everywhere lets a collection move between stores.
    /// </summary>
    public const string ReservedPayloadKey = "_id";

    public const int MaxDimension = 65_536;

    public static void CheckName(string? name) => CollectionNames.Validate(name);

    public static void CheckSettings(CollectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var model = settings.Model ?? throw Invalid("the collection settings name no model");
        if (model.Dimension is < 1 or > MaxDimension)
            throw Invalid($"the model dimension must be between 1 and {MaxDimension}, not {model.Dimension}");
        if (!Enum.IsDefined(settings.Index)) throw Invalid($"unknown index kind {settings.Index}");
    }

    public void CheckUpsert(IReadOnlyList<VectorPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count > limits.MaxPointsPerUpsert)
            throw Invalid($"{points.Count} points in one upsert; at most {limits.MaxPointsPerUpsert}");
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i] ?? throw Invalid($"point {i}: the point is null", i);
            if (PointIds.ProblemForNew(point.Id) is { } idProblem) throw Invalid($"point {i}: {idProblem}", i);
            if (UnitVectors.Problem(point.Vector.Span) is { } vectorProblem) throw Invalid($"point {i} ('{point.Id}'): {vectorProblem}", i);
            if (PayloadProblem(point.Payload) is { } payloadProblem) throw Invalid($"point {i} ('{point.Id}'): {payloadProblem}", i);
        }
    }

    public static void CheckId(string id)
    {
        if (PointIds.Problem(id) is { } problem) throw Invalid(problem);
    }

    public void CheckDelete(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count > limits.MaxIdsPerDelete) throw Invalid($"{ids.Count} ids in one delete; at most {limits.MaxIdsPerDelete}");
        for (var i = 0; i < ids.Count; i++)
            if (PointIds.Problem(ids[i]) is { } problem) throw Invalid($"id {i}: {problem}", i);
    }

    public void CheckQuery(SearchQuery query) => CheckQuery(query, null);

    public void CheckQueries(IReadOnlyList<SearchQuery> queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Count > limits.MaxQueriesPerBatch) throw Invalid($"{queries.Count} queries in one batch; at most {limits.MaxQueriesPerBatch}");
        for (var i = 0; i < queries.Count; i++) CheckQuery(queries[i], i);
    }

    /// <summary>Whether a payload is absent: none, or JSON null (both stores store no payload for it).</summary>
    public static bool IsAbsent(JsonElement? payload) => payload is null or { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null };

    /// <summary>"query N: " for a query of a batch, nothing for a single one.</summary>
    public static string QueryPrefix(int? index) => index is { } i ? $"query {i}: " : "";

    private void CheckQuery(SearchQuery? query, int? index)
    {
        var prefix = QueryPrefix(index);
        if (query is null) throw Invalid($"{prefix}the query is null", index);
        if (query.K < 1 || query.K > limits.MaxK) throw Invalid($"{prefix}k must be between 1 and {limits.MaxK}, not {query.K}", index);
        if (UnitVectors.Problem(query.Vector.Span) is { } vectorProblem) throw Invalid($"{prefix}{vectorProblem}", index);
        if (query.ScoreThreshold is { } threshold && !float.IsFinite(threshold))
            throw Invalid($"{prefix}the score threshold {threshold.ToString(CultureInfo.InvariantCulture)} is not a finite number", index);
        if (query.Filter is { } filter && FilterProblem(filter) is { } filterProblem) throw Invalid($"{prefix}{filterProblem}", index);
    }

    private static string? PayloadProblem(JsonElement? payload) =>
        IsAbsent(payload) ? null
        : payload!.Value.ValueKind != JsonValueKind.Object ? $"the payload is a JSON {payload.Value.ValueKind}; it must be an object"
        : payload.Value.TryGetProperty(ReservedPayloadKey, out _) ? $"the payload key '{ReservedPayloadKey}' is reserved (the Qdrant store keeps the point id there)"
        : null;

    /// <summary>Why a filter cannot be evaluated (see <see cref="PayloadFilter"/>), or null when it is well formed.</summary>
    private static string? FilterProblem(PayloadFilter filter)
    {
        if (filter.Must is null) return "the filter has no condition list";
        for (var i = 0; i < filter.Must.Count; i++)
        {
            var condition = filter.Must[i];
            if (condition is null) return $"filter condition {i} is null";
            if (string.IsNullOrEmpty(condition.Key) || condition.Key.Split('.').Any(string.IsNullOrEmpty))
                return $"filter condition {i}: the key '{condition.Key}' is empty or has an empty segment; use names separated by single dots";
            if (condition.Key == ReservedPayloadKey || condition.Key.StartsWith(ReservedPayloadKey + ".", StringComparison.Ordinal))
                return $"filter condition {i}: the key '{condition.Key}' uses the reserved payload key '{ReservedPayloadKey}'";
            if (condition.AnyOf is null || condition.AnyOf.Count == 0) return $"filter condition {i} ({condition.Key}) lists no values";
            foreach (var value in condition.AnyOf)
                if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.True or JsonValueKind.False) && !(value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _)))
                    return $"filter condition {i} ({condition.Key}): {value.GetRawText()} is not a string, integer or boolean";
        }
        return null;
    }

    private static RetrievalException Invalid(string message, int? index = null) => new(RetrievalError.InvalidArgument, message, index);
}
