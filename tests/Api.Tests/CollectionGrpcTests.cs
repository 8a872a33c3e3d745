using System.Text.Json;
using EmbeddingService.Protos.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using RetrievalClient = EmbeddingService.Protos.V1.Retrieval.RetrievalClient;

namespace EmbeddingService.Api.Tests;

public sealed class CollectionGrpcTests
{
    private static PointInput ImagePoint(string id, string goodImage, Struct? payload = null) =>
        new() { Id = id, Image = ByteString.CopyFrom(EmbedTestData.Good(goodImage)), Payload = payload };

    [Fact]
    public async Task CollectionsPointsAndSearchesWorkOverGrpcWithTheRestStatusCodes()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = new RetrievalClient(service.GrpcChannel);

        var collection = await client.CreateCollectionAsync(new CreateCollectionRequest { Name = "grpc", Pooling = Pooling.Mean, Index = IndexKind.Exact });
        Assert.Equal("mean", collection.Pooling);
        Assert.Equal(96, collection.Dim);
        Assert.Equal(IndexKind.Exact, collection.Index);
        var conflict = await Assert.ThrowsAsync<RpcException>(() => client.CreateCollectionAsync(new CreateCollectionRequest { Name = "grpc", Pooling = Pooling.Cls }).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        var upsert = new UpsertRequest { Collection = "grpc" };
        upsert.Points.Add(ImagePoint("chelsea", "chelsea.png", Struct.Parser.ParseJson("""{"kind":"cat","tags":["a","b"],"n":{"depth":2}}""")));
        upsert.Points.Add(ImagePoint("camera", "camera.png", Struct.Parser.ParseJson("""{"kind":"person"}""")));
        upsert.Points.Add(ImagePoint("rocket", "rocket.jpg"));
        Assert.Equal(3, (await client.UpsertAsync(upsert)).Upserted);

        var rocket = await client.GetPointAsync(new PointRef { Collection = "grpc", Id = "rocket" });
        Assert.Equal(96, rocket.Vector.Values.Count);
        var hits = (await client.SearchAsync(new SearchRequest { Collection = "grpc", Query = new Query { Image = ByteString.CopyFrom(EmbedTestData.Good("chelsea.png")), K = 2 } })).Hits;
        Assert.Equal("chelsea", hits[0].Id);
        Assert.Equal(1.0, hits[0].Score, 4);
        Assert.Equal(2.0, hits[0].Payload.Fields["n"].StructValue.Fields["depth"].NumberValue);

        var filtered = new Query { Vector = rocket.Vector, K = 5 };
        filtered.Filter.Add(new FieldMatch { Key = "kind", AnyOf = { Value.ForString("person") } });
        var nested = new Query { PointId = "rocket", K = 5 };
        nested.Filter.Add(new FieldMatch { Key = "n.depth", AnyOf = { Value.ForNumber(2) } });
        var batch = await client.SearchBatchAsync(new SearchBatchRequest { Collection = "grpc", Queries = { filtered, nested } });
        Assert.Equal(["camera"], batch.Results[0].Hits.Select(h => h.Id));
        Assert.Equal(["chelsea"], batch.Results[1].Hits.Select(h => h.Id));

        await client.DeletePointAsync(new PointRef { Collection = "grpc", Id = "camera" });
        var missing = await Assert.ThrowsAsync<RpcException>(() => client.GetPointAsync(new PointRef { Collection = "grpc", Id = "camera" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.StartsWith("point_not_found", missing.Status.Detail);
        Assert.Equal(2, (await client.GetCollectionAsync(new CollectionRef { Name = "grpc" })).Count);

        var bad = new UpsertRequest { Collection = "grpc" };
        bad.Points.Add(new PointInput { Id = "short", Vector = new Vector { Values = { 1f, 2f } } });
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => client.UpsertAsync(bad).ResponseAsync)).StatusCode);
        var broken = new UpsertRequest { Collection = "grpc" };
        broken.Points.Add(new PointInput { Id = "broken", Image = ByteString.CopyFromUtf8("not an image") });
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => client.UpsertAsync(broken).ResponseAsync)).StatusCode);

        Assert.Contains("grpc", (await client.ListCollectionsAsync(new ListCollectionsRequest())).Collections.Select(c => c.Name));
        await client.DeleteCollectionAsync(new CollectionRef { Name = "grpc" });
        var gone = await Assert.ThrowsAsync<RpcException>(() => client.SearchAsync(new SearchRequest { Collection = "grpc", Query = new Query { Vector = rocket.Vector } }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.StartsWith("collection_not_found", gone.Status.Detail);
    }

    [Fact]
    public async Task A_damaged_collection_is_listed_over_grpc_with_its_state_and_problem_as_over_rest()
    {
        var data = TestService.NewDataDirectory();
        try
        {
            await using (var first = await TestService.StartAsync([.. EmbedTestData.TinyModel, $"--Retrieval:DataDirectory={data}"]))
            {
                var client = new RetrievalClient(first.GrpcChannel);
                foreach (var name in new[] { "damaged", "healthy" })
                {
                    var dim = (await client.CreateCollectionAsync(new CreateCollectionRequest { Name = name, Index = IndexKind.Exact })).Dim;
                    // Three upserts, three log frames: damage in the first is followed by intact ones, which is corruption, not a torn tail.
                    foreach (var id in new[] { "a", "b", "c" })
                    {
                        var vector = new Vector { Values = { Enumerable.Range(0, dim).Select(i => i == id[0] - 'a' ? 1f : 0f) } };
                        await client.UpsertAsync(new UpsertRequest { Collection = name, Points = { new PointInput { Id = id, Vector = vector } } });
                    }
                }
            }
            var log = Path.Combine(data, "collections", "damaged", "points.log");
            var bytes = await File.ReadAllBytesAsync(log);
            bytes[20] ^= 0xff;
            await File.WriteAllBytesAsync(log, bytes);

            await using var reopened = await TestService.StartAsync([.. EmbedTestData.TinyModel, $"--Retrieval:DataDirectory={data}"]);
            var listed = (await new RetrievalClient(reopened.GrpcChannel).ListCollectionsAsync(new ListCollectionsRequest())).Collections.OrderBy(c => c.Name).ToArray();

            Assert.Equal(["damaged", "healthy"], listed.Select(c => c.Name));
            Assert.Equal(CollectionState.Corrupt, listed[0].State);
            Assert.Contains("collections/damaged/points.log", listed[0].Problem);
            Assert.DoesNotContain(data, listed[0].Problem);
            Assert.Equal(CollectionState.Ready, listed[1].State);
            Assert.Equal("", listed[1].Problem);
            var rest = JsonDocument.Parse(await reopened.RestClient.GetStringAsync("/v1/collections")).RootElement;
            var restDamaged = (rest.ValueKind == JsonValueKind.Array ? rest : rest.GetProperty("collections")).EnumerateArray().Single(c => c.GetProperty("name").GetString() == "damaged");
            Assert.Equal("corrupt", restDamaged.GetProperty("state").GetString());
            Assert.Equal(restDamaged.GetProperty("problem").GetString(), listed[0].Problem);
            var refused = await Assert.ThrowsAsync<RpcException>(() => new RetrievalClient(reopened.GrpcChannel).GetCollectionAsync(new CollectionRef { Name = "damaged" }).ResponseAsync);
            Assert.Equal(StatusCode.DataLoss, refused.StatusCode);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
