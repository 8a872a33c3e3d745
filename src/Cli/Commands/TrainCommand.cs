using System.CommandLine;
using EmbeddingService.Cli.Training;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Cli.Commands;

/// <summary>
/// embedctl train pretrain|distill --config run.json --out DIR [--resume]: a thin shell over
/// <see cref="TrainingRun.Execute"/>. Exit 0 when the run completed or stopped cleanly (time budget, Ctrl+C: resumable),
/// 1 when it stopped on a non-finite loss, 2 for a bad spec or arguments.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a DINOv2 model: self-supervised pretraining or distillation, from a JSON run spec (see the README's Training section)");
        command.Subcommands.Add(Kind(RunKind.Pretrain, "Self-supervised DINOv2 pretraining (teacher EMA is the result)"));
        command.Subcommands.Add(Kind(RunKind.Distill, "Distil a frozen teacher into a smaller student (student EMA is the result)"));
        return command;
    }

    private static Command Kind(RunKind kind, string description)
    {
        var command = new Command(RunSpecFile.Name(kind), description);
        var config = new Option<FileInfo>("--config") { Description = "The run spec (JSON)", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder of the run: checkpoints, metrics.jsonl, export, summary.json", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Require a checkpoint in --out to resume from (without it, a checkpoint of the same spec is resumed anyway)" };
        var device = new Option<string?>("--device") { Description = "Overrides execution.device: auto (CUDA when available), cpu, cuda or cuda:N" };
        var threads = new Option<int?>("--threads") { Description = "Overrides execution.threads (libtorch intra-op threads)" };
        var keepFreed = new Option<bool?>("--keep-freed-memory") { Description = "Overrides execution.keep_freed_memory (default true: the faster allocator for training, RSS stays at its peak)" };
        var maxMinutes = new Option<double?>("--max-minutes") { Description = "Overrides execution.max_minutes: stop cleanly at the first step past it" };
        foreach (var option in new Option[] { config, output, resume, device, threads, keepFreed, maxMinutes }) command.Options.Add(option);
        command.SetAction(result =>
        {
            var spec = RunSpecFile.Load(result.GetValue(config)!.FullName, kind);
            spec = spec with
            {
                Execution = spec.Execution with
                {
                    Device = result.GetValue(device) ?? spec.Execution.Device,
                    Threads = result.GetValue(threads) ?? spec.Execution.Threads,
                    KeepFreedMemory = result.GetValue(keepFreed) ?? spec.Execution.KeepFreedMemory,
                    MaxMinutes = result.GetValue(maxMinutes) ?? spec.Execution.MaxMinutes,
                },
            };
            if (spec.Execution.Threads is < 1) throw new ArgumentException("--threads must be at least 1");
            if (spec.Execution.MaxMinutes is <= 0) throw new ArgumentException("--max-minutes must be positive");
            var context = new RunContext
            {
                OutputDirectory = result.GetValue(output)!.FullName,
                Batches = RunInputs.BatchesFor(spec),
                Evaluation = RunInputs.EvaluationFor(spec),
                Resume = result.GetValue(resume) ? ResumeMode.Required : ResumeMode.Auto,
                Progress = new ConsoleRunProgress(Console.Out, Console.Error, live: !Console.IsOutputRedirected),
            };
            using var cancellation = new CancellationTokenSource();
            ConsoleCancelEventHandler stop = (_, e) =>
            {
                e.Cancel = true;
                cancellation.Cancel();
            };
            Console.CancelKeyPress += stop;
            try
            {
                var run = TrainingRun.Execute(spec, context, cancellation.Token);
                if (run.Status != RunStatus.NonFiniteLoss) return 0;
                Console.Error.WriteLine($"embedctl: {run.Message}");
                return EmbedCtl.Failed;
            }
            finally
            {
                Console.CancelKeyPress -= stop;
            }
        });
        return command;
    }
}
