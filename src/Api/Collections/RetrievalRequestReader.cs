using EmbeddingService.Engine.Text;
using System.Globalization;
using System.Text.Json;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Problems;
using EmbeddingService.Retrieval;

namespace EmbeddingService.Api.Collections;

/// <summary>Reads the bodies of the collection routes (JSON, multipart images, or one raw image for a search).</summary>
public sealed class RetrievalRequestReader(RetrievalOptions options, ServingOptions serving)
{
    private static readonly string[] CollectionMembers = ["pooling", "policy", "resolution", "index"];

    /// <summary>PUT /v1/collections/{name}: an optional JSON object with pooling, policy, resolution and index (null: not given).</summary>
    public async Task<(EmbedRequestOptions Embedding, IndexKind? Index)> ReadCollectionAsync(HttpRequest request, EmbedOptionsParser parser, CancellationToken cancellationToken)
    {
        RequestBodies.Limit(request, serving.MaxBodyBytes);
        JsonMembers.RequireKnownQuery(request);
        if (request.ContentLength is 0 || RequestBodies.MediaType(request) is null)
            return (parser.Defaults, null);
        RequireJson(request);
        using var document = await RequestBodies.ReadJsonAsync(request, cancellationToken);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw Invalid("the body must be a JSON object with optional \"pooling\", \"policy\", \"resolution\" and \"index\"");
        JsonMembers.RequireKnown(root, "the collection", CollectionMembers);
        IndexKind? index = null;
        if (root.TryGetProperty("index", out var indexElement))
            index = KebabCaseNames<IndexKind>.TryParse(indexElement.ValueKind == JsonValueKind.String ? indexElement.GetString() : null, out var kind)
                ? kind
                : throw Invalid($"\"index\" must be {KebabCaseNames<IndexKind>.Expected}");
        return (parser.Parse(root, notOptions: ["index"]), index);
    }

    /// <summary>
    /// POST .../points: JSON {"points":[{"id":"...","image":"&lt;base64&gt;" or "vector":[...],"payload":{...}}]},
    /// or multipart/form-data whose file parts are images (id = the part's file name, else its name) with an
    /// optional "payloads" field holding a JSON object of id → payload.
    /// </summary>
    public async Task<IReadOnlyList<PointInput>> ReadPointsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        RequestBodies.Limit(request, serving.MaxBodyBytes);
        JsonMembers.RequireKnownQuery(request);
        try
        {
            return RequestBodies.MediaType(request) switch
            {
                "multipart/form-data" => await ReadMultipartPointsAsync(request, cancellationToken),
                "application/json" => await ReadJsonPointsAsync(request, cancellationToken),
                var other => throw new ApiRequestError(ApiProblems.UnsupportedMediaType, $"Content-Type '{other}' is not supported here; send application/json or multipart/form-data"),
            };
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw RequestBodies.TooLarge(serving.MaxBodyBytes);
        }
        catch (InvalidDataException e) when (RequestBodies.IsPartCountLimit(e))
        {
            throw new ApiRequestError(ApiProblems.TooManyImages, $"more than {serving.MaxImagesPerRequest} images in one request");
        }
        catch (InvalidDataException e)
        {
            throw Invalid($"malformed multipart body: {e.Message}");
        }
    }

    /// <summary>
    /// POST .../search: one JSON query object, or a raw image body (image/* or application/octet-stream; k, score_threshold in the query string).
    /// POST .../search/batch: {"searches":[query, ...]}.
    /// </summary>
    public async Task<IReadOnlyList<QueryInput>> ReadSearchAsync(HttpRequest request, bool batch, CancellationToken cancellationToken)
    {
        RequestBodies.Limit(request, serving.MaxBodyBytes);
        try
        {
            var mediaType = RequestBodies.MediaType(request);
            if (!batch && RequestBodies.IsRawImage(mediaType))
            {
                JsonMembers.RequireKnownQuery(request, "k", "score_threshold");
                return [new QueryInput(new EmbedInput(await RequestBodies.ReadBytesAsync(request, cancellationToken), null), null, null,
                    QueryInt(request, "k") ?? options.DefaultK, null, QueryFloat(request, "score_threshold"))];
            }
            JsonMembers.RequireKnownQuery(request);
            RequireJson(request, batch ? "application/json" : $"application/json or one raw image ({RequestBodies.RawImageTypes})");
            using var document = await RequestBodies.ReadJsonAsync(request, cancellationToken);
            var root = document.RootElement;
            if (!batch) return [RetrievalJson.Query(root, "the search", options.DefaultK)];
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("searches", out var searches) || searches.ValueKind != JsonValueKind.Array)
                throw Invalid("the body must be an object with a \"searches\" array");
            JsonMembers.RequireKnown(root, "the body", ["searches"]);
            if (searches.GetArrayLength() > options.MaxSearchesPerRequest)
                throw new ApiRequestError(ApiProblems.TooManySearches, $"{searches.GetArrayLength()} searches in one request; at most {options.MaxSearchesPerRequest}");
            return searches.EnumerateArray().Select((s, i) => RetrievalJson.Query(s, RetrievalService.SearchLabel(i, batch: true), options.DefaultK)).ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw RequestBodies.TooLarge(serving.MaxBodyBytes);
        }
    }

    private async Task<IReadOnlyList<PointInput>> ReadJsonPointsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await RequestBodies.ReadPooledAsync(request, cancellationToken);
        return JsonPointsReader.Read(body.Memory.Span, options.MaxPointsPerRequest);
    }

    private async Task<IReadOnlyList<PointInput>> ReadMultipartPointsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var form = await request.ReadFormAsync(RequestBodies.MultipartLimits(serving.MaxBodyBytes, serving.MaxImagesPerRequest), cancellationToken);
        if (form.Files.Count > serving.MaxImagesPerRequest)
            throw new ApiRequestError(ApiProblems.TooManyImages, $"{form.Files.Count} images in one request; at most {serving.MaxImagesPerRequest}");
        JsonDocument? payloads = null;
        if (form.TryGetValue("payloads", out var payloadsField))
        {
            try
            {
                payloads = JsonDocument.Parse(payloadsField.ToString());
            }
            catch (JsonException e)
            {
                throw Invalid($"the \"payloads\" field is not valid JSON: {e.Message}");
            }
            if (payloads.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid("the \"payloads\" field must be a JSON object of id: payload");
        }
        using (payloads)
        {
            var inputs = new List<PointInput>(form.Files.Count);
            foreach (var file in form.Files)
            {
                var id = string.IsNullOrEmpty(file.FileName) ? file.Name : Path.GetFileName(file.FileName);
                using var buffer = new MemoryStream();
                await file.CopyToAsync(buffer, cancellationToken);
                var payload = payloads is not null && payloads.RootElement.TryGetProperty(id, out var p)
                    ? p.ValueKind == JsonValueKind.Object ? p.Clone() : throw new ApiRequestError(ApiProblems.InvalidArgument, $"the payload of '{id}' must be a JSON object", inputs.Count)
                    : (JsonElement?)null;
                inputs.Add(new PointInput(id, new EmbedInput(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), id), null, payload));
            }
            return inputs;
        }
    }

    private static void RequireJson(HttpRequest request, string accepted = "application/json")
    {
        if (RequestBodies.MediaType(request) is var type && type != "application/json")
            throw new ApiRequestError(ApiProblems.UnsupportedMediaType, $"Content-Type '{type}' is not supported here; send {accepted}");
    }

    private static int? QueryInt(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var value)
            ? int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw Invalid($"query parameter '{name}' must be an integer, not '{value}'")
            : null;

    private static float? QueryFloat(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var value)
            ? float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) ? f : throw Invalid($"query parameter '{name}' must be a number, not '{value}'")
            : null;

    private static ApiRequestError Invalid(string message) => new(ApiProblems.InvalidArgument, message);
}
