using System.Globalization;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// The W3C Server-Timing header of an embed answer: where the server spent the request's time (read: the body;
/// decode: decode and preprocessing; queue: waiting for the batch; infer: the batch's forward and pooling; app: from
/// the handler's start to the answer being ready). Browsers' developer tools show it; scripts/bench-serving.sh puts it
/// next to what the client measured to find the time spent outside the handler.
/// </summary>
public static class ServerTiming
{
    public const string Header = "Server-Timing";

    public static string Format(double readMs, EmbedResult result, double appMs) => string.Create(CultureInfo.InvariantCulture,
        $"read;dur={readMs:0.###}, decode;dur={result.DecodeMs:0.###}, queue;dur={result.QueueMs:0.###}, infer;dur={result.InferenceMs:0.###}, app;dur={appMs:0.###}");
}
