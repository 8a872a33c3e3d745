using System.Security.Cryptography;
using System.Text;

namespace EmbeddingService.Retrieval.Qdrant;

/// <summary>Name-based UUIDs, version 5 (RFC 9562 §5.5, formerly RFC 4122 §4.3): SHA-1 over namespace and name.</summary>
internal static class NameBasedUuid
{
    /// <summary>The same namespace and name always give the same UUID; different names give different ones.</summary>
    public static Guid Version5(Guid namespaceId, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // variant 10xx (RFC 9562)
        return new Guid(hash[..16], bigEndian: true);
    }
}
