namespace EmbeddingService.Engine.Text;

/// <summary>
/// The one name table of an enum the service reads and writes as text (configuration, query strings, JSON):
/// its members in kebab case (CenterCrop: center-crop, Hnsw: hnsw). Names are read in any case; numbers never.
/// </summary>
public static class KebabCaseNames<TEnum> where TEnum : struct, Enum
{
    private static readonly Dictionary<TEnum, string> Names = Enum.GetValues<TEnum>().ToDictionary(v => v, v => KebabCase(v.ToString()));
    private static readonly Dictionary<string, TEnum> Values = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>The names for a message: "center-crop or keep-aspect", "auto, exact or hnsw".</summary>
    public static string Expected { get; } = Names.Count == 1
        ? Names.Values.Single()
        : $"{string.Join(", ", Names.Values.SkipLast(1))} or {Names.Values.Last()}";

    public static string Name(TEnum value) =>
        Names.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(TEnum).Name}");

    public static bool TryParse(string? name, out TEnum value) => Values.TryGetValue(name ?? "", out value);

    private static string KebabCase(string member) =>
        string.Concat(member.Select((c, i) => char.IsUpper(c) && i > 0 ? $"-{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));
}
