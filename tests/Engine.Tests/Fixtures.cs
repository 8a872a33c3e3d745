namespace EmbeddingService.Engine.Tests;

/// <summary>Paths of the fixtures copied into the test output (tests/fixtures, from ../shared/fixtures).</summary>
public static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");
    public static string Parity(string config, string file) => Path.Combine(Root, "dinov2-parity", config, file);
}
