using EmbeddingService.Retrieval.Qdrant;

namespace EmbeddingService.Retrieval.Tests.Qdrant;

/// <summary>UUIDv5 against published vectors (RFC 9562 Appendix A.4, Python's uuid.uuid5) and the point-id mapping pinned.</summary>
public sealed class NameBasedUuidTests
{
    private static readonly Guid DnsNamespace = new("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    private static readonly Guid UrlNamespace = new("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

    [Theory]
    [InlineData("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com", "2ed6657d-e927-568b-95e1-2665a8aea6a2")] // RFC 9562 A.4
    [InlineData("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d")] // Python docs
    [InlineData("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "café", "5e2e2331-a683-5e18-b56d-666e31574b41")] // non-ASCII: UTF-8 bytes
    [InlineData("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "http://www.example.com/", "fcde3c85-2270-590f-9e7c-ee003d65e0e2")]
    public void Version5MatchesKnownVectors(string namespaceId, string name, string expected)
    {
        Assert.Equal(new Guid(expected), NameBasedUuid.Version5(new Guid(namespaceId), name));
    }

    [Fact]
    public void Version5SetsTheVersionAndVariantBits()
    {
        var text = NameBasedUuid.Version5(DnsNamespace, "anything").ToString();
        Assert.Equal('5', text[14]);
        Assert.Contains(text[19], "89ab");
    }

    [Fact]
    public void ThePointNamespaceIsDerivedAsDocumented()
    {
        Assert.Equal(NameBasedUuid.Version5(UrlNamespace, "urn:embedding-service:qdrant:point-id"), QdrantPointIds.Namespace);
    }

    /// <summary>Values from Python's uuid.uuid5(namespace, id): a change here would re-key every stored point.</summary>
    [Theory]
    [InlineData("a", "be3516b2-5f4c-518e-94b9-a91a69f7e5cb")]
    [InlineData("photo-0001.jpg", "3f82f3b9-d86a-5565-9a91-f9710b7d4337")]
    [InlineData("café/🙂", "2643c2f8-0f27-5075-8821-9c4ef049e718")]
    public void PointIdsMapToFixedUuids(string id, string expected)
    {
        Assert.Equal(new Guid(expected), QdrantPointIds.For(id));
    }

    [Fact]
    public void DifferentIdsGetDifferentUuids()
    {
        var ids = Enumerable.Range(0, 1000).Select(i => $"img-{i}").Append("A").Append("a").ToList();
        Assert.Equal(ids.Count, ids.Select(QdrantPointIds.For).Distinct().Count());
    }
}
