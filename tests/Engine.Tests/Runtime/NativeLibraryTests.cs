using EmbeddingService.Build;
using EmbeddingService.Engine.Runtime;
using TorchSharp;

namespace EmbeddingService.Engine.Tests.Runtime;

public sealed class NativeLibraryTests
{
    private static string OutputNativeLibrary => Path.Combine(AppContext.BaseDirectory, TorchRuntime.NativeLibraryName);

    private static string PackageNativeLibrary()
    {
        var version = typeof(torch).Assembly.GetName().Version!;
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(root, "torchsharp", $"{version.Major}.{version.Minor}.{version.Build}", "runtimes", "linux-x64", "native", TorchRuntime.NativeLibraryName);
    }

    [Fact]
    public void TorchLoadsFromTheOutputDirectoryWithoutConsolidatedFallback()
    {
        TorchRuntime.EnsureInitialized();
        using var sum = torch.ones(3, 3).sum();
        Assert.Equal(9f, sum.item<float>());
        // TorchSharp's fallback copies libtorch into a "cpu" folder beside TorchSharp.dll.
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "cpu")));
    }

    [Fact]
    public void OutputLibraryNeedsNoLibStdCxxVersionTheSystemLacks()
    {
        var system = ElfVersionNeeds.FindSystemLibStdCxx();
        Assert.NotNull(system);
        var available = ElfVersionNeeds.ReadDefinedVersions(File.ReadAllBytes(system));
        var strictMissing = ElfVersionNeeds.ReadVersionNeeds(File.ReadAllBytes(OutputNativeLibrary))
            .Where(n => n.File == ElfVersionNeeds.LibStdCxxSoname && !available.Contains(n.Name))
            .Where(n => (n.Flags & ElfVersionNeeds.VerFlagWeak) == 0)
            .Select(n => n.Name);
        Assert.Empty(strictMissing);
    }

    [Fact]
    public void PatchWeakensOnlyMissingMarkerVersionsAndIsIdempotent()
    {
        var original = PackageNativeLibrary();
        Assert.True(File.Exists(original), $"TorchSharp package library not found at {original}");
        var copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(original, copy);
        try
        {
            var before = ElfVersionNeeds.ReadVersionNeeds(File.ReadAllBytes(copy));
            var marker = Assert.Single(before, n => n.Name == "GLIBCXX_3.4.32");
            Assert.Equal(0, marker.Flags & ElfVersionNeeds.VerFlagWeak);

            // Pretend the system lacks exactly that version: it must be weakened and nothing else touched.
            var available = before.Select(n => n.Name).Where(n => n != "GLIBCXX_3.4.32").ToHashSet();
            Assert.Equal("marked weak: GLIBCXX_3.4.32", ElfVersionNeeds.WeakenMissingMarkerVersions(copy, available));
            var after = ElfVersionNeeds.ReadVersionNeeds(File.ReadAllBytes(copy));
            Assert.All(after.Zip(before), p => Assert.Equal(
                p.Second.Name == "GLIBCXX_3.4.32" ? p.Second.Flags | ElfVersionNeeds.VerFlagWeak : p.Second.Flags, p.First.Flags));
            Assert.StartsWith("already weak", ElfVersionNeeds.WeakenMissingMarkerVersions(copy, available));

            // A system that has every version needs no change.
            var all = before.Select(n => n.Name).ToHashSet();
            var pristine = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
            File.Copy(original, pristine);
            try
            {
                Assert.Equal("no missing symbol versions; unchanged", ElfVersionNeeds.WeakenMissingMarkerVersions(pristine, all));
                Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(pristine));
            }
            finally { File.Delete(pristine); }
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void PatchRefusesVersionsThatRealSymbolsNeed()
    {
        var copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(PackageNativeLibrary(), copy);
        try
        {
            var needs = ElfVersionNeeds.ReadVersionNeeds(File.ReadAllBytes(copy));
            // Without GLIBCXX_3.4 (which real symbols use) the patch must refuse rather than hide the problem.
            var available = needs.Select(n => n.Name).Where(n => n != "GLIBCXX_3.4").ToHashSet();
            var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.WeakenMissingMarkerVersions(copy, available));
            Assert.Contains("GLIBCXX_3.4 ", error.Message);
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void NonElfInputIsAClearError()
    {
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadVersionNeeds("not an elf file at all, just some text"u8.ToArray()));
        Assert.Contains("not an ELF file", error.Message);
    }
}
