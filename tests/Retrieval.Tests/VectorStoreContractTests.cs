using System.Text.Json;

namespace EmbeddingService.Retrieval.Tests;

/// <summary>
/// The behaviour every <see cref="IVectorStore"/> must have, used as callers use it: behind
/// <see cref="ValidatingVectorStore"/>. Each backend runs it by deriving a class that opens its store; a backend that
/// is not available here skips (with the reason) from <see cref="OpenStoreAsync"/>. Failures are asserted word for
/// word, so every store reads the same.
/// </summary>
public abstract class VectorStoreContractTests : IAsyncLifetime
{
    private readonly List<IVectorStore> _opened = [];

    /// <summary>Opens a store with no collections of this test's making (call <c>Skip.If</c> here when unavailable).</summary>
    protected abstract Task<IVectorStore> OpenStoreAsync();

    /// <summary>A collection name unique to this test run, so runs against a shared server do not collide.</summary>
    protected static string UniqueName(string stem) => $"{stem}-{Guid.NewGuid():N}"[..Math.Min(stem.Length + 13, 64)];

    protected static readonly CollectionModel Model4 = new("vits14", "sha256:0123456789abcdef", "cls", "center-crop", 224, 4);

    protected async Task<IVectorStore> StoreAsync()
    {
        var store = new ValidatingVectorStore(await OpenStoreAsync());
        _opened.Add(store);
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _opened) await store.DisposeAsync();
    }

    [SkippableFact]
    public async Task Upserted_points_are_found_by_search_best_first()
    {
        var store = await StoreAsync();
        var name = UniqueName("order");
        await store.CreateCollectionAsync(name, new CollectionSettings(Model4));
        await store.UpsertAsync(name, [
            new VectorPoint("a", new float[] { 1, 0, 0, 0 }),
            new VectorPoint("b", new float[] { 1, 1, 0, 0 }),
            new VectorPoint("c", new float[] { 0, 0, 1, 0 }, JsonDocument.Parse("""{"shelf":"c"}""").RootElement),
        ]);

        var hits = await store.SearchAsync(name, new SearchQuery(new float[] { 2, 0, 0, 0 }, K: 2));

        Assert.Equal(["a", "b"], hits.Select(h => h.Id));
        Assert.Equal(1f, hits[0].Score, 1e-5f);
        Assert.Equal(MathF.Sqrt(0.5f), hits[1].Score, 1e-5f);
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task A_point_searched_with_its_own_vector_scores_at_most_one()
    {
        var (store, name) = await CollectionAsync("self");
        var random = new Random(5);
        var points = Enumerable.Range(0, 200).Select(i => new VectorPoint($"p{i}", Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray())).ToArray();
        await store.UpsertAsync(name, points);

        foreach (var point in points)
        {
            var hits = await store.SearchAsync(name, new SearchQuery(point.Vector.ToArray(), K: 1));
            Assert.Equal(point.Id, hits[0].Id);
            Assert.InRange(hits[0].Score, 0.99999f, 1f);
        }
        await store.DeleteCollectionAsync(name);
    }

    private static readonly CollectionModel OtherWeights = Model4 with { WeightsFingerprint = "sha256:fedcba9876543210" };

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static VectorPoint Point(string id, float x, float y, float z, float w, string? payload = null) =>
        new(id, new[] { x, y, z, w }, payload is null ? null : Json(payload));

    private async Task<(IVectorStore Store, string Name)> CollectionAsync(string stem, IndexKind index = IndexKind.Auto)
    {
        var store = await StoreAsync();
        var name = UniqueName(stem);
        await store.CreateCollectionAsync(name, new CollectionSettings(Model4, index));
        return (store, name);
    }

    private static async Task<RetrievalException> FailsAsync(RetrievalError error, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RetrievalException>(call);
        Assert.Equal(error, e.Error);
        return e;
    }

    [SkippableFact]
    public async Task Creating_again_with_the_same_settings_returns_the_collection_and_with_other_settings_fails()
    {
        var (store, name) = await CollectionAsync("create");

        var again = await store.CreateCollectionAsync(name, new CollectionSettings(Model4));

        Assert.Equal(name, again.Name);
        Assert.Equal(Model4, again.Model);
        await FailsAsync(RetrievalError.CollectionExists, () => store.CreateCollectionAsync(name, new CollectionSettings(OtherWeights)));
        await FailsAsync(RetrievalError.CollectionExists, () => store.CreateCollectionAsync(name, new CollectionSettings(Model4, IndexKind.Exact)));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Collections_are_got_listed_and_deleted()
    {
        var (store, name) = await CollectionAsync("list", IndexKind.Exact);
        await store.UpsertAsync(name, [Point("a", 1, 0, 0, 0), Point("b", 0, 1, 0, 0)]);

        var info = await store.GetCollectionAsync(name);
        var listed = await store.ListCollectionsAsync();

        Assert.NotNull(info);
        Assert.Equal((name, 2L, IndexKind.Exact, Model4), (info.Name, info.Count, info.Index, info.Model));
        Assert.Contains(listed, c => c.Name == name && c.Count == 2);
        Assert.True(await store.DeleteCollectionAsync(name));
        Assert.False(await store.DeleteCollectionAsync(name));
        Assert.Null(await store.GetCollectionAsync(name));
        Assert.DoesNotContain(await store.ListCollectionsAsync(), c => c.Name == name);
        await FailsAsync(RetrievalError.CollectionNotFound, () => store.UpsertAsync(name, [Point("a", 1, 0, 0, 0)]));
    }

    [SkippableFact]
    public async Task Invalid_collection_names_are_invalid_arguments()
    {
        var store = await StoreAsync();

        foreach (var bad in new[] { "", ".hidden", "a/b", "with space", new string('x', 65) })
            await FailsAsync(RetrievalError.InvalidArgument, () => store.CreateCollectionAsync(bad, new CollectionSettings(Model4)));
    }

    [SkippableFact]
    public async Task Upsert_replaces_by_id_and_get_returns_the_unit_vector_and_payload()
    {
        var (store, name) = await CollectionAsync("replace");
        await store.UpsertAsync(name, [Point("p", 3, 0, 0, 0, """{"v":1}""")]);

        await store.UpsertAsync(name, [Point("p", 0, 3, 0, 4, """{"v":2,"tags":["x"]}""")]);

        var point = await store.GetPointAsync(name, "p");
        Assert.NotNull(point);
        Assert.Equal(new[] { 0f, 0.6f, 0f, 0.8f }, point.Vector, new ToleranceComparer(1e-6f));
        Assert.Equal(2, point.Payload!.Value.GetProperty("v").GetInt32());
        Assert.Equal(1, (await store.GetCollectionAsync(name))!.Count);
        Assert.Null(await store.GetPointAsync(name, "missing"));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Vectors_of_tiny_or_huge_components_still_normalise_and_blank_or_control_ids_are_refused()
    {
        var (store, name) = await CollectionAsync("scale");

        await store.UpsertAsync(name, [Point("tiny", 3e-30f, 4e-30f, 0, 0), Point("huge", 0, 0, 3e30f, 4e30f)]);

        Assert.Equal(new[] { 0.6f, 0.8f, 0f, 0f }, (await store.GetPointAsync(name, "tiny"))!.Vector, new ToleranceComparer(1e-6f));
        Assert.Equal(new[] { 0f, 0f, 0.6f, 0.8f }, (await store.GetPointAsync(name, "huge"))!.Vector, new ToleranceComparer(1e-6f));
        await FailsAsync(RetrievalError.InvalidArgument, () => store.UpsertAsync(name, [Point("   ", 1, 0, 0, 0)]));
        await FailsAsync(RetrievalError.InvalidArgument, () => store.UpsertAsync(name, [Point("tab\there", 1, 0, 0, 0)]));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task A_bad_point_fails_the_whole_upsert_with_its_index()
    {
        var (store, name) = await CollectionAsync("allornothing");
        await store.UpsertAsync(name, [Point("kept", 1, 0, 0, 0)]);

        var wrongDimension = await FailsAsync(RetrievalError.DimensionMismatch,
            () => store.UpsertAsync(name, [Point("new1", 1, 0, 0, 0), new VectorPoint("new2", new float[] { 1, 2, 3 })]));
        var zero = await FailsAsync(RetrievalError.InvalidArgument, () => store.UpsertAsync(name, [Point("new1", 1, 0, 0, 0), Point("new2", 0, 0, 0, 0)]));
        var notFinite = await FailsAsync(RetrievalError.InvalidArgument, () => store.UpsertAsync(name, [Point("new1", float.NaN, 0, 0, 0)]));
        var emptyId = await FailsAsync(RetrievalError.InvalidArgument, () => store.UpsertAsync(name, [Point("new1", 1, 0, 0, 0), Point("", 1, 0, 0, 0)]));
        var longId = await FailsAsync(RetrievalError.InvalidArgument, () => store.UpsertAsync(name, [Point(new string('é', 129), 1, 0, 0, 0)]));
        var arrayPayload = await FailsAsync(RetrievalError.InvalidArgument,
            () => store.UpsertAsync(name, [Point("new1", 1, 0, 0, 0), Point("new2", 1, 0, 0, 0), Point("new3", 1, 0, 0, 0, "[1]")]));

        Assert.Equal([1, 1, 0, 1, 0, 2], new[] { wrongDimension, zero, notFinite, emptyId, longId, arrayPayload }.Select(e => e.Index));
        Assert.Equal(1, (await store.GetCollectionAsync(name))!.Count);
        Assert.Null(await store.GetPointAsync(name, "new1"));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Deleted_points_are_gone_and_the_count_says_how_many_existed()
    {
        var (store, name) = await CollectionAsync("delete");
        await store.UpsertAsync(name, [Point("a", 1, 0, 0, 0), Point("b", 0.9f, 0.1f, 0, 0), Point("c", 0, 1, 0, 0)]);

        var deleted = await store.DeletePointsAsync(name, ["a", "nope", "c"]);

        Assert.Equal(2, deleted);
        Assert.Null(await store.GetPointAsync(name, "a"));
        var hits = await store.SearchAsync(name, new SearchQuery(new float[] { 1, 0, 0, 0 }, K: 3));
        Assert.Equal(["b"], hits.Select(h => h.Id));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Equal_scores_are_ordered_by_id_and_k_limits_the_hits()
    {
        var (store, name) = await CollectionAsync("ties");
        await store.UpsertAsync(name, [Point("m", 0, 1, 0, 0), Point("z", 1, 0, 0, 0), Point("b", 2, 0, 0, 0), Point("k", 1, 0, 0, 0)]);

        var hits = await store.SearchAsync(name, new SearchQuery(new float[] { 1, 0, 0, 0 }, K: 3));

        Assert.Equal(["b", "k", "z"], hits.Select(h => h.Id));
        Assert.All(hits, h => Assert.Equal(1f, h.Score, 1e-5f));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Hits_below_the_score_threshold_are_left_out()
    {
        var (store, name) = await CollectionAsync("threshold");
        await store.UpsertAsync(name, [Point("same", 1, 0, 0, 0), Point("near", 1, 1, 0, 0), Point("far", 0, 1, 0, 0), Point("opposite", -1, 0, 0, 0)]);

        var hits = await store.SearchAsync(name, new SearchQuery(new float[] { 1, 0, 0, 0 }, K: 10, ScoreThreshold: 0.5f));

        Assert.Equal(["same", "near"], hits.Select(h => h.Id));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Bad_queries_are_invalid_arguments_or_dimension_mismatches()
    {
        var (store, name) = await CollectionAsync("badquery");
        await store.UpsertAsync(name, [Point("a", 1, 0, 0, 0)]);

        await FailsAsync(RetrievalError.InvalidArgument, () => store.SearchAsync(name, new SearchQuery(new float[] { 1, 0, 0, 0 }, K: 0)));
        await FailsAsync(RetrievalError.InvalidArgument, () => store.SearchAsync(name, new SearchQuery(new float[] { 1, 0, 0, 0 }, K: 1_000_000)));
        await FailsAsync(RetrievalError.InvalidArgument, () => store.SearchAsync(name, new SearchQuery(new float[] { 0, 0, 0, 0 })));
        await FailsAsync(RetrievalError.DimensionMismatch, () => store.SearchAsync(name, new SearchQuery(new float[] { 1, 0 })));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Filters_need_every_condition_and_match_any_of_its_values_nested_keys_included()
    {
        var (store, name) = await CollectionAsync("filter");
        await store.UpsertAsync(name, [
            Point("red-shoe", 1, 0, 0, 0, """{"color":"red","kind":"shoe","shop":{"city":"Oslo","floor":2}}"""),
            Point("red-hat", 0.9f, 0.1f, 0, 0, """{"color":"red","kind":"hat","shop":{"city":"Bergen","floor":1}}"""),
            Point("blue-shoe", 0.8f, 0.2f, 0, 0, """{"color":"blue","kind":"shoe","shop":{"city":"Oslo","floor":2},"sale":true}"""),
            Point("bare", 0.7f, 0.3f, 0, 0),
        ]);
        var query = new float[] { 1, 0, 0, 0 };
        async Task<string[]> Ids(params FieldCondition[] must) =>
            (await store.SearchAsync(name, new SearchQuery(query, K: 10, Filter: new PayloadFilter(must)))).Select(h => h.Id).ToArray();

        Assert.Equal(["red-shoe", "red-hat"], await Ids(new FieldCondition("color", [Json("\"red\"")])));
        Assert.Equal(["red-shoe", "red-hat", "blue-shoe"], await Ids(new FieldCondition("color", [Json("\"red\""), Json("\"blue\"")])));
        Assert.Equal(["red-shoe"], await Ids(new FieldCondition("color", [Json("\"red\"")]), new FieldCondition("kind", [Json("\"shoe\"")])));
        Assert.Equal(["red-shoe", "blue-shoe"], await Ids(new FieldCondition("shop.city", [Json("\"Oslo\"")])));
        Assert.Equal(["red-hat"], await Ids(new FieldCondition("shop.floor", [Json("1")])));
        Assert.Equal(["blue-shoe"], await Ids(new FieldCondition("sale", [Json("true")])));
        Assert.Empty(await Ids(new FieldCondition("missing", [Json("\"red\"")])));
        Assert.Empty(await Ids(new FieldCondition("color.deeper", [Json("\"red\"")])));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Batch_search_answers_each_query_in_order()
    {
        var (store, name) = await CollectionAsync("batch");
        await store.UpsertAsync(name, [Point("x", 1, 0, 0, 0), Point("y", 0, 1, 0, 0), Point("z", 0, 0, 1, 0, """{"t":"z"}""")]);

        var results = await store.SearchBatchAsync(name, [
            new SearchQuery(new float[] { 0, 1, 0, 0 }, K: 1),
            new SearchQuery(new float[] { 1, 0.1f, 0, 0 }, K: 2),
            new SearchQuery(new float[] { 1, 0, 0, 0 }, K: 1, Filter: new PayloadFilter([new FieldCondition("t", [Json("\"z\"")])])),
        ]);

        Assert.Equal([["y"], ["x", "y"], ["z"]], results.Select(r => r.Select(h => h.Id).ToArray()));
        Assert.Equal("z", results[2][0].Payload!.Value.GetProperty("t").GetString());
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Calls_on_a_missing_collection_are_collection_not_found()
    {
        var store = await StoreAsync();
        var name = UniqueName("absent");

        Assert.Null(await store.GetCollectionAsync(name));
        await FailsAsync(RetrievalError.CollectionNotFound, () => store.UpsertAsync(name, [Point("a", 1, 0, 0, 0)]));
        await FailsAsync(RetrievalError.CollectionNotFound, () => store.GetPointAsync(name, "a"));
        await FailsAsync(RetrievalError.CollectionNotFound, () => store.DeletePointsAsync(name, ["a"]));
        await FailsAsync(RetrievalError.CollectionNotFound, () => store.SearchBatchAsync(name, [new SearchQuery(new float[] { 1, 0, 0, 0 })]));
    }

    [SkippableFact]
    public async Task Search_in_a_missing_collection_is_collection_not_found()
    {
        var store = await StoreAsync();

        var e = await Assert.ThrowsAsync<RetrievalException>(() => store.SearchAsync(UniqueName("missing"), new SearchQuery(new float[] { 1, 0, 0, 0 })));

        Assert.Equal(RetrievalError.CollectionNotFound, e.Error);
    }

    [SkippableFact]
    public async Task Failures_only_a_store_can_detect_read_the_same_in_every_store()
    {
        var (store, name) = await CollectionAsync("wording");
        await store.UpsertAsync(name, [Point("a", 1, 0, 0, 0)]);
        var missing = UniqueName("nowhere");
        var model = Model4.Describe();

        var notFound = await FailsAsync(RetrievalError.CollectionNotFound, () => store.SearchAsync(missing, new SearchQuery(new float[] { 1, 0, 0, 0 })));
        var exists = await FailsAsync(RetrievalError.CollectionExists, () => store.CreateCollectionAsync(name, new CollectionSettings(Model4, IndexKind.Exact)));
        var point = await FailsAsync(RetrievalError.DimensionMismatch, () => store.UpsertAsync(name, [Point("b", 1, 0, 0, 0), new VectorPoint("c", new float[] { 1, 2 })]));
        var single = await FailsAsync(RetrievalError.DimensionMismatch, () => store.SearchAsync(name, new SearchQuery(new float[] { 1, 2 })));
        var batch = await FailsAsync(RetrievalError.DimensionMismatch,
            () => store.SearchBatchAsync(name, [new SearchQuery(new float[] { 1, 0, 0, 0 }), new SearchQuery(new float[] { 1, 2, 3 })]));

        Assert.Equal($"collection '{missing}' does not exist", notFound.Message);
        Assert.Equal($"collection '{name}' exists with other settings: index Exact instead of Auto", exists.Message);
        Assert.Equal($"point 1 ('c') has 2 dimensions; collection '{name}' holds {model}", point.Message);
        Assert.Equal($"the query has 2 dimensions; collection '{name}' holds {model}", single.Message);
        Assert.Equal($"query 1: the query has 3 dimensions; collection '{name}' holds {model}", batch.Message);
        Assert.Equal([null, null, 1, null, 1], new[] { notFound, exists, point, single, batch }.Select(e => e.Index));
        await store.DeleteCollectionAsync(name);
    }

    [SkippableFact]
    public async Task Ids_with_a_slash_are_refused_at_upsert_so_every_stored_point_has_a_rest_address()
    {
        var (store, name) = await CollectionAsync("slash");

        var e = await FailsAsync(RetrievalError.InvalidArgument, () => store.UpsertAsync(name, [Point("ok", 1, 0, 0, 0), Point("shoes/red", 1, 0, 0, 0)]));

        Assert.Equal(1, e.Index);
        Assert.Equal("point 1: the point id 'shoes/red' contains '/', which cannot be part of a REST path segment (/v1/collections/{name}/points/{id}); use another character", e.Message);
        Assert.Null(await store.GetPointAsync(name, "ok"));
        Assert.Null(await store.GetPointAsync(name, "shoes/red"));
        await store.DeleteCollectionAsync(name);
    }
}
