using System.Text.Json;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Problems;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// Reads the inputs and options of POST /v1/embed from a raw image body (Content-Type image/* or
/// application/octet-stream), multipart form parts, or JSON {"inputs":[{"image":"&lt;base64&gt;","id":"..."}],"options":{...}};
/// options also from the query.
/// </summary>
public sealed class EmbedRequestReader(ServingOptions serving, EmbedOptionsParser parser)
{
    private static readonly string[] RootMembers = ["inputs", "options"];
    private static readonly string[] InputMembers = ["image", "id"];
    private const string Accepted = $"{RequestBodies.RawImageTypes}, multipart/form-data or application/json";

    /// <returns>The inputs, the options, and whether the body was a list of inputs (JSON or multipart), whose errors name the input's index.</returns>
    public async Task<(IReadOnlyList<EmbedInput> Inputs, EmbedRequestOptions Options, bool Listed)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        RequestBodies.Limit(request, serving.MaxBodyBytes);
        var options = parser.Parse(request.Query.Select(q => KeyValuePair.Create(q.Key, (string?)q.Value.ToString())));
        var mediaType = RequestBodies.MediaType(request);
        try
        {
            var (inputs, parsed) = mediaType switch
            {
                null => throw new ApiRequestError(ApiProblems.UnsupportedMediaType, $"Content-Type is missing; send {Accepted}"),
                _ when RequestBodies.IsRawImage(mediaType) => ([new EmbedInput(await RequestBodies.ReadBytesAsync(request, cancellationToken), null)], options),
                "multipart/form-data" => (await ReadMultipartAsync(request, cancellationToken), options),
                "application/json" => await ReadJsonAsync(request, options, cancellationToken),
                _ => throw new ApiRequestError(ApiProblems.UnsupportedMediaType, $"Content-Type '{mediaType}' is not supported; send {Accepted}"),
            };
            if (inputs.Count == 0) throw new ApiRequestError(ApiProblems.InvalidArgument, "the request holds no images");
            if (inputs.Count > serving.MaxImagesPerRequest)
                throw new ApiRequestError(ApiProblems.TooManyImages, $"{inputs.Count} images in one request; at most {serving.MaxImagesPerRequest}");
            return (inputs, parsed, !RequestBodies.IsRawImage(mediaType));
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
            throw new ApiRequestError(ApiProblems.InvalidArgument, $"malformed multipart body: {e.Message}");
        }
    }

    private async Task<IReadOnlyList<EmbedInput>> ReadMultipartAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var form = await request.ReadFormAsync(RequestBodies.MultipartLimits(serving.MaxBodyBytes, serving.MaxImagesPerRequest), cancellationToken);
        var inputs = new List<EmbedInput>(form.Files.Count);
        foreach (var file in form.Files)
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, cancellationToken);
            inputs.Add(new EmbedInput(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), string.IsNullOrEmpty(file.FileName) ? file.Name : file.FileName));
        }
        return inputs;
    }

    private async Task<(IReadOnlyList<EmbedInput>, EmbedRequestOptions)> ReadJsonAsync(HttpRequest request, EmbedRequestOptions options, CancellationToken cancellationToken)
    {
        using (var document = await RequestBodies.ReadJsonAsync(request, cancellationToken))
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
                throw new ApiRequestError(ApiProblems.InvalidArgument, "the JSON body must be an object with an \"inputs\" array");
            JsonMembers.RequireKnown(root, "the body", RootMembers);
            if (root.TryGetProperty("options", out var optionsElement))
            {
                if (optionsElement.ValueKind != JsonValueKind.Object)
                    throw new ApiRequestError(ApiProblems.InvalidArgument, "\"options\" must be an object");
                options = parser.Parse(optionsElement, options);
            }
            var inputs = new List<EmbedInput>();
            var index = 0;
            foreach (var item in inputsElement.EnumerateArray())
            {
                if (index >= serving.MaxImagesPerRequest)
                    throw new ApiRequestError(ApiProblems.TooManyImages, $"more than {serving.MaxImagesPerRequest} images in one request");
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("image", out var image) || image.ValueKind != JsonValueKind.String)
                    throw new ApiRequestError(ApiProblems.InvalidArgument, $"input {index} must be an object with an \"image\" string (base64)", index);
                JsonMembers.RequireKnown(item, $"input {index}", InputMembers, index);
                var id = item.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
                if (!Base64Images.TryDecode(image, out var bytes))
                    throw new ApiRequestError(ApiProblems.InvalidArgument, $"input {index}: \"image\" is not valid base64 (or a data: URL of it)", index);
                inputs.Add(new EmbedInput(bytes, id));
                index++;
            }
            return (inputs, options);
        }
    }
}
