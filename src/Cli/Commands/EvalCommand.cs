using System.CommandLine;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl eval: quality benchmarks, of a model on image folders (knn) or of a running service (retrieval).</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Measure quality: k-NN classification of a model on labelled image folders, or copy-detection retrieval through a running service; prints one JSON object");
        command.Subcommands.Add(EvalKnnCommand.Create());
        command.Subcommands.Add(EvalRetrievalCommand.Create());
        return command;
    }
}
