using System.CommandLine;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl dataset: preparing image folders for training and evaluation.</summary>
public static class DatasetCommand
{
    public static Command Create()
    {
        var command = new Command("dataset", "Prepare and inspect training image folders");
        command.Subcommands.Add(DatasetImportIdxCommand.Create());
        command.Subcommands.Add(DatasetBenchLoaderCommand.Create());
        return command;
    }
}
