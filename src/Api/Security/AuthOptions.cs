namespace EmbeddingService.Api.Security;

/// <summary>Configuration section "Auth": API keys (none configured = open service) and what stays open.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Keys accepted as "Authorization: Bearer KEY" or "X-API-Key: KEY".</summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary>Keys for /v1/admin/* (admin keys are also valid API keys).</summary>
    public string[] AdminKeys { get; set; } = [];

    public bool OpenHealth { get; set; } = true;
    public bool OpenMetrics { get; set; } = true;
    public bool OpenInfo { get; set; } = true;

    /// <summary>Requests per minute per key (or per client address without keys); 0 disables rate limiting.</summary>
    public int RateLimitPerMinute { get; set; }
}
