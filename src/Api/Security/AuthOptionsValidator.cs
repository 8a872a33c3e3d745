using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Security;

/// <summary>Refuses blank keys: an empty string would otherwise match a request that sends "Bearer " with nothing after it.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = Blank(options.ApiKeys, nameof(options.ApiKeys)).Concat(Blank(options.AdminKeys, nameof(options.AdminKeys))).ToList();
        if (options.RateLimitPerMinute < 0)
            failures.Add($"{AuthOptions.Section}:{nameof(options.RateLimitPerMinute)}: must be 0 (off) or positive, got {options.RateLimitPerMinute}");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<string> Blank(string[] keys, string property) => keys
        .Select((key, index) => (key, index))
        .Where(k => string.IsNullOrWhiteSpace(k.key) || k.key.Trim() != k.key)
        .Select(k => $"{AuthOptions.Section}:{property}:{k.index}: a key must be non-empty without surrounding white space");
}
