using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Connections;

namespace EmbeddingService.Api.Observability;

/// <summary>
/// Callers that went away mid-request (connection reset, body cut short or sent too slowly, call cancelled). They
/// are no server error: logged at Information without a stack, and counted apart (embedding_service.client_aborts).
/// </summary>
public sealed class ClientAborts
{
    public const string MetricName = "embedding_service.client_aborts";
    public const string Rest = "rest";
    public const string Grpc = "grpc";

    // Kestrel's words for a body that ended before its declared length: the client closed the connection mid-body.
    private const string UnexpectedEndOfBody = "Unexpected end of request content";

    private readonly Counter<long> _count;
    private readonly ILogger _logger;

    public ClientAborts(IMeterFactory meters, ILogger<ClientAborts> logger)
    {
        _count = meters.Create(ServiceMeter.Name).CreateCounter<long>(MetricName, description: "Requests whose caller went away before the answer");
        _logger = logger;
    }

    /// <summary>Whether <paramref name="exception"/> means the caller went away, rather than a failure of the service.</summary>
    public static bool IsAbort(Exception exception, CancellationToken callerGone) => exception switch
    {
        ConnectionResetException => true,
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => true,
        BadHttpRequestException bad when bad.Message.StartsWith(UnexpectedEndOfBody, StringComparison.Ordinal) => true,
        OperationCanceledException or IOException or BadHttpRequestException => callerGone.IsCancellationRequested,
        _ => false,
    };

    public void Record(string transport, string operation, Exception exception)
    {
        _count.Add(1, new KeyValuePair<string, object?>("transport", transport));
        _logger.LogInformation("The client went away during {Operation} ({Transport}): {Reason}", operation, transport, exception.Message);
    }
}
