using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>
/// Where the Qdrant server is and how to talk to it (gRPC). Bindable from configuration (e.g. "Retrieval:Qdrant");
/// <see cref="Validate"/> names every problem, and <see cref="QdrantVectorStore"/> refuses options that have one.
/// </summary>
public sealed partial class QdrantStoreOptions : IValidatableObject
{
    /// <summary>Qdrant's REST port: the client speaks gRPC, which Qdrant serves on 6334 by default.</summary>
    public const int RestPort = 6333;

    /// <summary>The gRPC endpoint, e.g. "http://qdrant:6334" or "https://qdrant.example.com:6334", with its port.</summary>
    public string Url { get; set; } = "";

    /// <summary>Qdrant's service API key (QDRANT__SERVICE__API_KEY on the server); none when the server has none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Whether the connection must be TLS. Unset: the scheme of <see cref="Url"/> decides. Set: it must agree with
    /// the scheme, so that "Https: true" with an http:// URL fails at start-up instead of sending the API key in clear.
    /// </summary>
    public bool? Https { get; set; }

    /// <summary>SHA-256 thumbprint (hex) of the server certificate, for a self-signed server; https only.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>Deadline of each call to Qdrant.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Prepended to every collection name in Qdrant, so that this service's collections can share a server with
    /// others (it lists and owns only the collections that carry it).
    /// </summary>
    public string CollectionPrefix { get; set; } = "embeddings_";

    /// <summary>Points per upsert request (each request is sent with wait=true).</summary>
    public int UpsertBatchSize { get; set; } = 256;

    /// <summary>The validated <see cref="Url"/>.</summary>
    public Uri Address => new(Url, UriKind.Absolute);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return Problem($"'{Url}' is not an absolute http:// or https:// URL (e.g. http://qdrant:6334)", nameof(Url));
            yield break;
        }
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            yield return Problem($"'{Url}' must be scheme, host and port only (no path, query or credentials)", nameof(Url));
        else if (!EndsWithPort().IsMatch(Url))
            yield return Problem($"'{Url}' names no port; give Qdrant's gRPC port explicitly (6334 by default)", nameof(Url));
        else if (uri.Port == RestPort)
            yield return Problem($"'{Url}' is Qdrant's REST port {RestPort}; this client speaks gRPC (port 6334 by default)", nameof(Url));
        var tls = uri.Scheme == Uri.UriSchemeHttps;
        if (Https is { } https && https != tls)
            yield return Problem($"Https is {https.ToString().ToLowerInvariant()} but Url '{Url}' is {uri.Scheme}://", nameof(Https), nameof(Url));
        if (CertificateThumbprint is { Length: > 0 } thumbprint)
        {
            if (!Sha256Hex().IsMatch(thumbprint))
                yield return Problem("must be the certificate's SHA-256 thumbprint: 64 hex digits", nameof(CertificateThumbprint));
            if (!tls)
                yield return Problem($"is only used over TLS, but Url '{Url}' is http://", nameof(CertificateThumbprint));
        }
        if (ApiKey is { } key && key.Trim().Length == 0)
            yield return Problem("is blank; leave it unset when the server has no API key", nameof(ApiKey));
        if (Timeout <= TimeSpan.Zero)
            yield return Problem($"{Timeout} must be positive", nameof(Timeout));
        if (!CollectionNames.IsValid(CollectionPrefix))
            yield return Problem($"'{CollectionPrefix}' must be a valid collection name itself: 1 to 63 letters, digits, '_', '.' or '-', starting with a letter or digit", nameof(CollectionPrefix));
        if (UpsertBatchSize is < 1 or > 10_000)
            yield return Problem($"{UpsertBatchSize} must be between 1 and 10000", nameof(UpsertBatchSize));
    }

    /// <summary>Every problem as "Member: message", for a start-up error.</summary>
    public IReadOnlyList<string> Problems()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        return results.Select(r => $"{string.Join(",", r.MemberNames)}: {r.ErrorMessage}").ToList();
    }

    private static ValidationResult Problem(string message, params string[] members) => new(message, members);

    [GeneratedRegex(@":[0-9]+/?$")]
    private static partial Regex EndsWithPort();

    [GeneratedRegex("^[0-9A-Fa-f]{64}$")]
    private static partial Regex Sha256Hex();
}
