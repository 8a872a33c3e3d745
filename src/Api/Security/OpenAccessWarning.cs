namespace EmbeddingService.Api.Security;

/// <summary>Warns once at start when no API key is configured: the service then answers anyone who can reach its ports.</summary>
public sealed class OpenAccessWarning(ApiKeyStore keys, ILogger<OpenAccessWarning> logger) : IHostedService
{
    public const string Message =
        "No API key is configured (Auth:ApiKeys, Auth:AdminKeys): the REST and gRPC APIs and /v1/admin are open to anyone who can reach their ports";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!keys.Enabled) logger.LogWarning(Message);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
