namespace EmbeddingService.Engine.Inference;

/// <summary>Resident memory of this process from /proc (Linux); falls back to the working set elsewhere.</summary>
public static class ProcessMemory
{
    public static long CurrentRssBytes() => ReadStatusKb("VmRSS:") * 1024 ?? Environment.WorkingSet;

    public static long PeakRssBytes() => ReadStatusKb("VmHWM:") * 1024 ?? System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;

    private static long? ReadStatusKb(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
        return null;
    }
}
