using System.Globalization;
using EmbeddingService.Api.Problems;

namespace EmbeddingService.Api.Hosting;

/// <summary>When a REST request's work must be done: its X-Request-Timeout-Ms header, else the configured default.</summary>
public static class RequestDeadline
{
    public const string Header = "X-Request-Timeout-Ms";

    public static DateTimeOffset Of(HttpRequest request, ServingOptions serving)
    {
        if (!request.Headers.TryGetValue(Header, out var value))
            return DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(serving.DefaultDeadlineMs);
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(ms)
            : throw new ApiRequestError(ApiProblems.InvalidArgument, $"{Header} must be a positive number of milliseconds, not '{value}'");
    }
}
