using System.CommandLine;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl eval: benchmarks of a running service's quality.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Measure a running service's quality on a benchmark; prints one JSON object");
        command.Subcommands.Add(EvalRetrievalCommand.Create());
        return command;
    }
}
