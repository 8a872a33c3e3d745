namespace EmbeddingService.Engine.Tests.Imaging;

internal static class Fixtures
{
    public static string GoodImage(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "good", name);

    public static string BadImage(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "images", "bad", name);

    public static string ReferenceTensor(string imageName) => Path.Combine(AppContext.BaseDirectory, "fixtures", "preprocess", imageName + ".npy");

    public static IEnumerable<string> GoodImageNames() => FileNames("good");

    public static IEnumerable<string> BadImageNames() => FileNames("bad");

    private static IEnumerable<string> FileNames(string folder) =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "images", folder)).Select(path => Path.GetFileName(path)).Order();
}
