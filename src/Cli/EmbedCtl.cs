using System.CommandLine;
using EmbeddingService.Cli.Commands;
using EmbeddingService.Cli.Evaluation;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Retrieval;
using EmbeddingService.Training.Data;

namespace EmbeddingService.Cli;

/// <summary>
/// The embedctl entry point. Exit codes: 0 success, 1 the work failed (bad file, bad image, bad checkpoint),
/// 2 bad arguments. Every failure is one line on stderr.
/// </summary>
public static class EmbedCtl
{
    public const int Failed = 1;
    public const int BadArguments = 2;

    public static int Run(string[] args)
    {
        var root = new RootCommand("embedctl: DINOv2 features, embeddings, preprocessing and benchmarks from the command line");
        root.Subcommands.Add(FeaturesCommand.Create());
        root.Subcommands.Add(PreprocessCommand.Create());
        root.Subcommands.Add(EmbedCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(BenchPreprocessCommand.Create());
        root.Subcommands.Add(LoadCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(LoadCollectionsCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(SearchBenchCommand.Create());
        root.Subcommands.Add(VerifyCaseCommand.Create());
        root.Subcommands.Add(BenchTrainCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(DatasetCommand.Create());
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // A token nothing matched ("embedctl frobnicate") says more than the missing command it leaves behind.
            var error = parsed.Errors.FirstOrDefault(e => parsed.UnmatchedTokens.Any(token => e.Message.Contains($"'{token}'", StringComparison.Ordinal)))
                ?? parsed.Errors[0];
            Console.Error.WriteLine($"embedctl: {error.Message} (see embedctl --help)");
            return BadArguments;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"embedctl: {e.Message}");
            return BadArguments;
        }
        catch (ImageDecodeException e)
        {
            Console.Error.WriteLine($"embedctl: {e.Describe()}");
            return Failed;
        }
        catch (DatasetException e)
        {
            Console.Error.WriteLine($"embedctl: {e.Reason}: {e.Message}");
            return Failed;
        }
        catch (RetrievalException e)
        {
            Console.Error.WriteLine($"embedctl: {e.Error}: {e.Message}");
            return Failed;
        }
        catch (Exception e) when (e is CheckpointException or InvalidDataException or IOException or UnauthorizedAccessException or TorchRuntimeException or EvaluationException or HttpRequestException)
        {
            Console.Error.WriteLine($"embedctl: {e.Message}");
            return Failed;
        }
    }
}
