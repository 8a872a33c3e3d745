using System.Text.RegularExpressions;

namespace EmbeddingService.Engine.IO;

/// <summary>The fields of a .npy header dictionary.</summary>
internal static partial class NpyHeader
{
    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    public static partial Regex Descr();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    public static partial Regex Fortran();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    public static partial Regex Shape();
}
