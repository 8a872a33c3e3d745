namespace EmbeddingService.Api.Security;

/// <summary>
/// Configuration section "Auth": API keys (none configured = open service) and what stays open. A key list is given
/// indexed (Auth:ApiKeys:0=k1, a JSON array) or as one comma-separated value (--Auth:ApiKeys=k1,k2, AUTH__APIKEYS=k1,k2).
/// </summary>
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

    /// <summary>
    /// Adds the keys of a plain value of <paramref name="section"/>'s ApiKeys and AdminKeys, read as a comma-separated
    /// list: the binder fills an array only from indexed keys and would silently leave the service open.
    /// </summary>
    public void BindKeyLists(IConfigurationSection section)
    {
        ApiKeys = [.. ApiKeys, .. Listed(section[nameof(ApiKeys)])];
        AdminKeys = [.. AdminKeys, .. Listed(section[nameof(AdminKeys)])];
    }

    private static string[] Listed(string? value) => string.IsNullOrEmpty(value) ? [] : value.Split(',', StringSplitOptions.TrimEntries);

    /// <summary>Requests per minute per key (or per client address without keys); 0 disables rate limiting.</summary>
    public int RateLimitPerMinute { get; set; }
}
