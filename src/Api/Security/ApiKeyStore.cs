using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Security;

/// <summary>
/// The configured keys, kept as SHA-256 digests. A presented key is hashed and compared with every digest in
/// constant time, so neither the length nor the content of a configured key leaks through response timing.
/// </summary>
public sealed class ApiKeyStore
{
    private readonly (byte[] Digest, bool Admin)[] _keys;

    public ApiKeyStore(IOptions<AuthOptions> options)
    {
        var auth = options.Value;
        _keys = [.. auth.ApiKeys.Select(k => (Digest(k), false)), .. auth.AdminKeys.Select(k => (Digest(k), true))];
    }

    /// <summary>Whether any key is configured; without keys the service is open.</summary>
    public bool Enabled => _keys.Length > 0;

    /// <summary>The key's identity (a digest prefix, safe to log) and whether it is an admin key; null when unknown.</summary>
    public ApiKeyMatch? Find(string presented)
    {
        var digest = Digest(presented);
        var found = false;
        var admin = false;
        foreach (var key in _keys)
        {
            var equal = CryptographicOperations.FixedTimeEquals(digest, key.Digest);
            found |= equal;
            admin |= equal && key.Admin;
        }
        return found ? new ApiKeyMatch("key:" + Convert.ToHexStringLower(digest, 0, 6), admin) : null;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
