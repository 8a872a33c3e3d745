using EmbeddingService.Retrieval.Qdrant;

namespace EmbeddingService.Retrieval.Tests.Qdrant;

/// <summary>Options are refused at start-up with a message that says what is wrong and what to write instead.</summary>
public sealed class QdrantStoreOptionsTests
{
    private static readonly string Thumbprint = new('a', 64);

    [Theory]
    [InlineData("http://qdrant:6334")]
    [InlineData("https://qdrant.example.com:6334/")]
    [InlineData("http://127.0.0.1:16334")]
    [InlineData("http://[::1]:6334")]
    public void GoodUrlsPass(string url)
    {
        Assert.Empty(new QdrantStoreOptions { Url = url }.Problems());
    }

    [Theory]
    [InlineData("", "not an absolute http:// or https:// URL")]
    [InlineData("qdrant:6334", "not an absolute http:// or https:// URL")]
    [InlineData("grpc://qdrant:6334", "not an absolute http:// or https:// URL")]
    [InlineData("http://qdrant", "names no port")]
    [InlineData("http://qdrant:6333", "REST port 6333")]
    [InlineData("http://qdrant:6334/collections", "no path")]
    [InlineData("http://user:secret@qdrant:6334", "credentials")]
    public void BadUrlsAreNamedWithTheReason(string url, string reason)
    {
        var problem = Assert.Single(new QdrantStoreOptions { Url = url }.Problems());

        Assert.StartsWith("Url: ", problem);
        Assert.Contains(reason, problem);
    }

    [Theory]
    [InlineData("http://qdrant:6334", true)]
    [InlineData("https://qdrant:6334", false)]
    public void HttpsMustAgreeWithTheScheme(string url, bool https)
    {
        var problem = Assert.Single(new QdrantStoreOptions { Url = url, Https = https }.Problems());

        Assert.StartsWith("Https,Url: ", problem);
    }

    [Fact]
    public void HttpsThatAgreesPasses()
    {
        Assert.Empty(new QdrantStoreOptions { Url = "https://qdrant:6334", Https = true, CertificateThumbprint = Thumbprint }.Problems());
        Assert.Empty(new QdrantStoreOptions { Url = "http://qdrant:6334", Https = false }.Problems());
    }

    [Theory]
    [InlineData("https://qdrant:6334", "abc", "64 hex digits")]
    [InlineData("http://qdrant:6334", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "only used over TLS")]
    public void AThumbprintMustBeSha256OverTls(string url, string thumbprint, string reason)
    {
        var problem = Assert.Single(new QdrantStoreOptions { Url = url, CertificateThumbprint = thumbprint }.Problems());

        Assert.StartsWith("CertificateThumbprint: ", problem);
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void EveryOtherProblemIsNamed()
    {
        var problems = new QdrantStoreOptions
        {
            Url = "http://qdrant:6334",
            ApiKey = " ",
            Timeout = TimeSpan.Zero,
            CollectionPrefix = "bad prefix!",
            UpsertBatchSize = 0,
        }.Problems();

        Assert.Equal(["ApiKey", "Timeout", "CollectionPrefix", "UpsertBatchSize"], problems.Select(p => p.Split(':')[0]));
    }

    [Fact]
    public void TheStoreRefusesBadOptionsWithEveryProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => new QdrantVectorStore(new QdrantStoreOptions { Url = "http://qdrant", UpsertBatchSize = 0 }));

        Assert.Contains("names no port", e.Message);
        Assert.Contains("UpsertBatchSize", e.Message);
    }
}
