using System.CommandLine;
using static TorchSharp.torch;

namespace EmbeddingService.Cli.Commands;

/// <summary>--threads: libtorch intra-op threads (default: libtorch's choice, one per core).</summary>
public static class ThreadsOption
{
    public static Option<int?> Create() => new("--threads") { Description = "libtorch intra-op threads (default: one per core)" };

    public static int Apply(int? threads)
    {
        if (threads is { } t)
        {
            if (t < 1) throw new ArgumentException("--threads must be at least 1");
            set_num_threads(t);
        }
        return get_num_threads();
    }
}
