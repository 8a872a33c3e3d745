using EmbeddingService.Protos.V1;
using Google.Protobuf;
using Grpc.Core;
using EmbeddingClient = EmbeddingService.Protos.V1.Embedding.EmbeddingClient;

namespace EmbeddingService.Api.Tests;

public sealed class EmbedGrpcTests
{
    private static ImageInput Input(byte[] image, string id) => new() { Image = ByteString.CopyFrom(image), Id = id };

    [Fact]
    public async Task UnaryEmbedReturnsOneEmbeddingPerImage()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = new EmbeddingClient(service.GrpcChannel);
        var request = new EmbedRequest { Options = new EmbedOptions { Pooling = Pooling.ClsMean } };
        request.Images.Add(Input(EmbedTestData.Good("rocket.jpg"), "rocket"));
        request.Images.Add(Input(EmbedTestData.Good("camera.png"), "camera"));
        var response = await client.EmbedAsync(request);
        Assert.Equal(192, response.Dim);
        Assert.Equal(["rocket", "camera"], response.Embeddings.Select(e => e.Id));
        Assert.All(response.Embeddings, e => Assert.Equal(192, e.Vector.Count));
        Assert.Equal(2 * 257, response.Tokens);
    }

    [Fact]
    public async Task APhotoOfSeveralMegabytesIsEmbeddedAndAMessageOverMaxBodyBytesIsRefused()
    {
        // gRPC's own default refuses messages over 4 MB: the service takes what REST takes, Serving:MaxBodyBytes.
        var photo = EmbedTestData.NoisyJpeg(2560, 2048);
        Assert.InRange(photo.Length, 4 * 1024 * 1024, 8 * 1024 * 1024);
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, $"--Serving:MaxBodyBytes={12 * 1024 * 1024}"]);
        var request = new EmbedRequest();
        request.Images.Add(Input(photo, "photo"));
        var response = await new EmbeddingClient(service.GrpcChannel).EmbedAsync(request);
        Assert.Equal("photo", response.Embeddings.Single().Id);

        request.Images.Add(Input(photo, "photo-2"));
        request.Images.Add(Input(photo, "photo-3"));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new EmbeddingClient(service.GrpcChannel).EmbedAsync(request));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task UnaryEmbedMapsABadImageToInvalidArgument()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var client = new EmbeddingClient(service.GrpcChannel);
        var request = new EmbedRequest();
        request.Images.Add(Input(EmbedTestData.Bad("html.jpg"), "html"));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.EmbedAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("image_decode_failed", error.Status.Detail);
    }

    [Fact]
    public async Task A_center_crop_over_the_token_limit_is_invalid_argument()
    {
        await using var service = await TestService.StartAsync(EmbedTestData.TinyModel);
        var request = new EmbedRequest { Options = new EmbedOptions { Policy = ResizePolicy.CenterCrop, Resolution = 532 } };
        request.Images.Add(Input(EmbedTestData.Good("rocket.jpg"), "rocket"));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new EmbeddingClient(service.GrpcChannel).EmbedAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("invalid_argument", error.Status.Detail);
        Assert.Contains("the largest center crop is 518", error.Status.Detail);
    }

    [Fact]
    public async Task StreamAnswersEveryIdExactlyOnceWithInBandErrorsForBadImages()
    {
        await using var service = await TestService.StartAsync([.. EmbedTestData.TinyModel, "--Serving:MaxInFlightPerStream=32"]);
        var client = new EmbeddingClient(service.GrpcChannel);
        var good = EmbedTestData.GoodNames().Select(EmbedTestData.Good).ToArray();
        var bad = EmbedTestData.BadNames().Select(EmbedTestData.Bad).ToArray();
        const int total = 500;
        bool IsBad(int i) => i % 7 == 3;

        using var call = client.EmbedStream();
        var answers = new Dictionary<string, EmbedStreamResponse>();
        var duplicates = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync())
                if (!answers.TryAdd(response.Id, response)) duplicates++;
        });
        for (var i = 0; i < total; i++)
        {
            var image = IsBad(i) ? bad[i % bad.Length] : good[i % good.Length];
            await call.RequestStream.WriteAsync(new EmbedStreamRequest { Id = $"img-{i}", Image = ByteString.CopyFrom(image) });
        }
        await call.RequestStream.CompleteAsync();
        await reader;

        Assert.Equal(0, duplicates);
        Assert.Equal(total, answers.Count);
        for (var i = 0; i < total; i++)
        {
            var answer = answers[$"img-{i}"];
            Assert.Equal(i, answer.Index);
            if (IsBad(i))
            {
                Assert.Equal(EmbedStreamResponse.ResultOneofCase.Error, answer.ResultCase);
                Assert.Contains(answer.Error.Code, new[] { "image_decode_failed", "image_too_large" });
            }
            else
            {
                Assert.Equal(EmbedStreamResponse.ResultOneofCase.Embedding, answer.ResultCase);
                Assert.Equal(96, answer.Embedding.Vector.Count);
            }
        }
    }
}
