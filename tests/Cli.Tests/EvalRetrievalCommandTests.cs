using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SkiaSharp;

namespace EmbeddingService.Cli.Tests;

/// <summary>embedctl eval retrieval against <see cref="FakeCollectionsService"/>, whose search finds an original by its canvas size.</summary>
public sealed class EvalRetrievalCommandTests
{
    /// <summary>
    /// Seven readable originals of distinct sizes, all wider than any is tall and too close in size for a crop (at most 90 % of
    /// the area) or a rescale of one to have another's size; one of them the fake refuses; one file that does not decode.
    /// </summary>
    private static string Originals()
    {
        var dir = CliRun.TempDir();
        (string Name, int Width, int Height)[] images =
            [("a.png", 100, 64), ("b.png", 101, 64), ("c.png", 102, 64), ("d.png", 103, 65), ("e.png", 104, 65), ("f.png", 105, 66), ("reject.png", 106, 66)];
        foreach (var (name, width, height) in images)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)(x * 2), (byte)(y * 3), (byte)(width + x * y)));
            using var image = SKImage.FromBitmap(bitmap);
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(dir, name), png.ToArray());
        }
        File.WriteAllText(Path.Combine(dir, "broken.jpg"), "<html>404</html>");
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "not an image");
        return dir;
    }

    private static (int Code, JsonElement Report, string Stderr) Eval(FakeCollectionsService fake, params string[] options)
    {
        var (code, stdout, stderr) = CliRun.Run(["eval", "retrieval", "--url", fake.Address.ToString(), .. options]);
        return (code, code == 0 ? JsonDocument.Parse(stdout).RootElement : default, stderr);
    }

    private static double Metric(JsonElement scores, string name) => scores.GetProperty(name).GetDouble();

    [Fact]
    public async Task IndexesSearchesScoresAndDeletesTheCollection()
    {
        await using var fake = await FakeCollectionsService.StartAsync();
        var output = Path.Combine(CliRun.TempDir(), "eval.json");
        var (code, stdout, stderr) = CliRun.Run("eval", "retrieval", "--url", fake.Address.ToString(), "--images", Originals(),
            "--api-key", "secret", "--batch", "5", "--output", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("RANDOM weights", stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(stdout, File.ReadAllText(output));

        // 7 readable: round(0.3 × 7) = 2 distractors and 5 originals; the fake refuses reject.png (one or the other),
        // and the rest of its batch is sent again without it.
        Assert.Equal(6, fake.Points.Count);
        Assert.DoesNotContain(fake.Points, p => p.Id == "reject.png");
        var counts = report.GetProperty("counts");
        Assert.Equal(8, counts.GetProperty("image_files").GetInt32());
        Assert.Equal(1, counts.GetProperty("unreadable").GetInt32());
        Assert.Equal(1, counts.GetProperty("index_failed").GetInt32());
        Assert.Equal(6, counts.GetProperty("originals").GetInt32() + counts.GetProperty("distractors").GetInt32());
        var originals = fake.Points.Count(p => p.Role == "original");
        Assert.Equal(originals, counts.GetProperty("originals").GetInt32());
        Assert.Equal(13 * originals, counts.GetProperty("queries").GetInt32());
        Assert.Equal(0, counts.GetProperty("failed").GetInt32());
        var rejected = Assert.Single(report.GetProperty("index_errors").EnumerateArray());
        Assert.Equal(("reject.png", "image_decode_failed"), (rejected.GetProperty("id").GetString(), rejected.GetProperty("code").GetString()));

        // Eight edits keep the canvas (rank 1), two quarter turns swap it (rank 2), crop, rescale and combo change it (miss).
        var metrics = report.GetProperty("metrics");
        Assert.Equal(13 * originals, metrics.GetProperty("queries").GetInt32());
        Assert.Equal(Math.Round(8.0 / 13, 4), Metric(metrics, "recall_at_1"));
        Assert.Equal(Math.Round(10.0 / 13, 4), Metric(metrics, "recall_at_10"));
        Assert.Equal(Math.Round(9.0 / 13, 4), Metric(metrics, "map_at_k"));
        var perTransform = report.GetProperty("per_transform");
        Assert.Equal(13, perTransform.EnumerateObject().Count());
        foreach (var hit in new[] { "rotate180", "rotate-small", "jpeg", "color", "grayscale", "blur", "text", "flip" })
            Assert.Equal((originals, 1.0, 1.0, 1.0), Scores(perTransform.GetProperty(hit)));
        foreach (var turn in new[] { "rotate90", "rotate270" })
            Assert.Equal((originals, 0.0, 1.0, 0.5), Scores(perTransform.GetProperty(turn)));
        foreach (var miss in new[] { "crop", "rescale", "combo" })
            Assert.Equal((originals, 0.0, 0.0, 0.0), Scores(perTransform.GetProperty(miss)));

        var service = report.GetProperty("service");
        Assert.True(service.GetProperty("random_weights").GetBoolean());
        Assert.Equal("dinov2_vits14 (random:0)", service.GetProperty("model").GetString());
        Assert.Equal("random:0", service.GetProperty("weights_fingerprint").GetString());
        var collection = report.GetProperty("collection");
        var name = collection.GetProperty("name").GetString()!;
        Assert.Matches("^eval-[0-9a-f]{12}$", name);
        Assert.True(collection.GetProperty("created").GetBoolean());
        Assert.True(collection.GetProperty("deleted").GetBoolean());
        Assert.Equal(10, report.GetProperty("settings").GetProperty("k").GetInt32());
        Assert.True(report.GetProperty("timings").GetProperty("query_seconds").GetDouble() > 0);

        var calls = fake.Calls.ToArray();
        Assert.Equal(["GET /v1/info", $"PUT /v1/collections/{name}", .. Enumerable.Repeat($"POST /v1/collections/{name}/points", 3)], calls[..5]);
        Assert.All(calls[5..^1], c => Assert.Equal($"POST /v1/collections/{name}/search/batch", c));
        Assert.Equal($"DELETE /v1/collections/{name}", calls[^1]);
        Assert.Equal("exact", Assert.Single(fake.CreateBodies)["index"]!.GetValue<string>());
        // Batches of 5 and 2; the one holding reject.png is sent again without it.
        var sizes = fake.UpsertBatchSizes.ToArray();
        Assert.True(sizes.SequenceEqual([5, 4, 2]) || sizes.SequenceEqual([5, 2, 1]), string.Join(", ", sizes));
        Assert.All(fake.SearchBatchSizes, n => Assert.InRange(n, 1, 5));
        Assert.Equal(13 * originals, fake.SearchBatchSizes.Sum());
        Assert.All(fake.ApiKeys, key => Assert.Equal("secret", key));
    }

    private static (int, double, double, double) Scores(JsonElement scores) =>
        (scores.GetProperty("queries").GetInt32(), Metric(scores, "recall_at_1"), Metric(scores, "recall_at_10"), Metric(scores, "map_at_k"));

    [Fact]
    public async Task ChosenTransformsAndQueriesPerImageWithAKeptCollection()
    {
        await using var fake = await FakeCollectionsService.StartAsync();
        var (code, report, stderr) = Eval(fake, "--images", Originals(), "--transforms", "flip,rotate90", "--queries-per-image", "4",
            "--distractor-fraction", "0", "--collection", "mine", "--keep", "--k", "20");
        Assert.True(code == 0, stderr);
        // 6 originals indexed (reject.png refused), 4 queries each: 2 flips at rank 1, 2 quarter turns at rank 2.
        Assert.Equal((6, 0), (report.GetProperty("counts").GetProperty("originals").GetInt32(), report.GetProperty("counts").GetProperty("distractors").GetInt32()));
        Assert.Equal((24, 0.5, 1.0, 0.75), Scores(report.GetProperty("metrics")));
        Assert.Equal(["flip", "rotate90"], report.GetProperty("per_transform").EnumerateObject().Select(p => p.Name));
        Assert.Equal((12, 1.0, 1.0, 1.0), Scores(report.GetProperty("per_transform").GetProperty("flip")));
        Assert.Equal(("mine", true, false), (report.GetProperty("collection").GetProperty("name").GetString(),
            report.GetProperty("collection").GetProperty("created").GetBoolean(), report.GetProperty("collection").GetProperty("deleted").GetBoolean()));
        Assert.DoesNotContain(fake.Calls, c => c.StartsWith("DELETE", StringComparison.Ordinal));
        Assert.All(fake.ApiKeys, key => Assert.Null(key));
    }

    [Fact]
    public async Task ACollectionThatExistedIsNeverDeleted()
    {
        await using var fake = await FakeCollectionsService.StartAsync();
        fake.Existing.Add("catalogue");
        var (code, report, stderr) = Eval(fake, "--images", Originals(), "--transforms", "flip", "--collection", "catalogue");
        Assert.True(code == 0, stderr);
        Assert.False(report.GetProperty("collection").GetProperty("created").GetBoolean());
        Assert.False(report.GetProperty("collection").GetProperty("deleted").GetBoolean());
        Assert.DoesNotContain(fake.Calls, c => c.StartsWith("DELETE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedSearchesAreCountedAsMisses()
    {
        await using var fake = await FakeCollectionsService.StartAsync();
        fake.SearchErrorCode = "image_decode_failed";
        var (code, report, stderr) = Eval(fake, "--images", Originals(), "--transforms", "flip,jpeg");
        Assert.True(code == 0, stderr);
        var queries = report.GetProperty("counts").GetProperty("queries").GetInt32();
        Assert.True(queries > 0);
        Assert.Equal(queries, report.GetProperty("counts").GetProperty("failed").GetInt32());
        Assert.Equal(queries, report.GetProperty("query_errors").GetProperty("image_decode_failed").GetInt32());
        Assert.Equal((queries, 0.0, 0.0, 0.0), Scores(report.GetProperty("metrics")));
    }

    [Fact]
    public async Task AFailingCreateIsOneLineAndExitCodeOne()
    {
        await using var fake = await FakeCollectionsService.StartAsync();
        fake.FailingCall = "PUT ";
        var (code, _, stderr) = Eval(fake, "--images", Originals());
        Assert.Equal(1, code);
        Assert.Equal("embedctl: PUT /v1/collections/", stderr[..30]);
        Assert.EndsWith("409 collection_model_mismatch: the collection was made by another model", stderr.TrimEnd());
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain(fake.Calls, c => c.StartsWith("DELETE", StringComparison.Ordinal) || c.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFailureAfterCreatingDeletesTheCollection()
    {
        await using var fake = await FakeCollectionsService.StartAsync();
        fake.FailingCall = "POST ";
        var (code, _, stderr) = Eval(fake, "--images", Originals());
        Assert.Equal(1, code);
        Assert.Contains("the collection was made by another model", stderr);
        Assert.StartsWith("DELETE /v1/collections/eval-", fake.Calls.Last());
    }

    [Fact]
    public void AServiceThatIsDownIsOneLineAndExitCodeOne()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (code, _, stderr) = CliRun.Run("eval", "retrieval", "--url", $"http://127.0.0.1:{port}", "--images", CliRun.Fixture("images", "good"));
        Assert.Equal(1, code);
        Assert.StartsWith($"embedctl: GET http://127.0.0.1:{port}/v1/info: ", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("--k", "5", "--k must be at least 10")]
    [InlineData("--batch", "0", "--batch must be at least 1")]
    [InlineData("--queries-per-image", "0", "--queries-per-image must be at least 1")]
    [InlineData("--transforms", "crop,spin", "unknown transform 'spin'")]
    [InlineData("--distractor-fraction", "1", "--distractor-fraction must be at least 0 and below 1")]
    [InlineData("--url", "localhost:8080", "--url must be an absolute http(s) address")]
    [InlineData("--seed", "x", "")]
    public void BadArgumentsAreExitCodeTwo(string option, string value, string message)
    {
        var (code, stdout, stderr) = CliRun.Run("eval", "retrieval", "--images", CliRun.Fixture("images", "good"), option, value);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.StartsWith("embedctl: ", stderr);
        Assert.Contains(message, stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void TheImagesFolderIsRequiredAndMustHoldImages()
    {
        Assert.Equal(2, CliRun.Run("eval", "retrieval").ExitCode);
        var (code, _, stderr) = CliRun.Run("eval", "retrieval", "--images", CliRun.TempDir());
        Assert.Equal(2, code);
        Assert.Contains("holds no JPEG, PNG, WebP, BMP or GIF files", stderr);
    }
}
