using System.Text.Json.Nodes;
using EmbeddingService.Trainer.Hosting;
using EmbeddingService.Trainer.Jobs;
using EmbeddingService.Training.Runs;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Tests;

/// <summary>The worker as an operator runs it: a separate process, killed with SIGKILL mid-job, or refused a bad setting.</summary>
public sealed class WorkerProcessTests
{
    [Fact]
    public async Task A_job_whose_worker_is_killed_resumes_from_its_checkpoint_when_the_worker_restarts_and_succeeds_once()
    {
        const int Steps = 150;
        var data = TinySpecs.TempDir();
        string id, output;
        long checkpointed;
        using (var worker = await WorkerProcess.StartAsync(data))
        {
            var job = await worker.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = V1.JobKind.Pretrain, SpecJson = TinySpecs.Pretrain(Steps, checkpointEvery: 5) });
            (id, output) = (job.Id, job.OutputDir);
            using var watch = await JobWatcher.OpenAsync(worker.Client, id);
            Assert.True(await watch.UntilAsync(e => e.EventCase == V1.JobEvent.EventOneofCase.Checkpoint && e.Checkpoint.Step >= 10), worker.Output);
            checkpointed = watch.Events[^1].Checkpoint.Step;
            worker.Kill();
        }
        Assert.False(File.Exists(Path.Combine(output, TrainingRun.SummaryFile)), "the run finished before it was killed");
        var killedAt = RunCheckpoint.Latest(output)!.Iteration;
        Assert.InRange(killedAt, checkpointed, Steps - 1);

        using (var restarted = await WorkerProcess.StartAsync(data))
        {
            using (var watch = await JobWatcher.OpenAsync(restarted.Client, id))
                Assert.True(V1.JobState.Succeeded == await watch.ToEndAsync(), restarted.Output);
            Assert.Contains($"resumes at step {killedAt} of {Steps}", restarted.Output);

            var job = await restarted.Client.GetJobAsync(new V1.JobRef { Id = id });
            Assert.Equal((V1.JobState.Succeeded, (long)Steps), (job.State, job.Step));
            Assert.Equal([V1.JobState.Queued, V1.JobState.Running, V1.JobState.Queued, V1.JobState.Running, V1.JobState.Succeeded],
                job.History.Select(h => h.State).ToArray());
            var interruption = job.History[2];
            Assert.Equal("worker_lost", interruption.Reason);
            Assert.StartsWith("interrupted (worker_lost)", interruption.Message);
            Assert.Single((await restarted.Client.ListJobsAsync(new V1.ListJobsRequest())).Jobs);
        }

        // The step count went on: every iteration logged once, none repeated from 0.
        var iterations = File.ReadLines(Path.Combine(output, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["iteration"]!.GetValue<long>()).ToArray();
        Assert.Equal(Enumerable.Range(0, Steps).Select(s => (long)s).ToArray(), iterations);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(output, TrainingRun.SummaryFile)))!;
        Assert.Equal(Steps, summary["iterations"]!["completed"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_worker_stopped_with_sigterm_checkpoints_the_running_job_queues_it_again_and_exits_with_zero()
    {
        var data = TinySpecs.TempDir();
        string id, output;
        using (var worker = await WorkerProcess.StartAsync(data))
        {
            var job = await worker.Client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = V1.JobKind.Pretrain, SpecJson = TinySpecs.Pretrain(2000, checkpointEvery: 50) });
            (id, output) = (job.Id, job.OutputDir);
            using (var watch = await JobWatcher.OpenAsync(worker.Client, id))
                Assert.True(await watch.UntilAsync(e => JobWatcher.IsStepAtLeast(e, 3)), worker.Output);
            Assert.Equal(0, await worker.TerminateAsync(TimeSpan.FromMinutes(1)));
        }
        var store = new JobStore(data, TimeProvider.System);
        var stopped = store.Find(id)!;
        Assert.Equal((JobState.Queued, "worker_stopped"), (stopped.State, stopped.Reason));
        Assert.Equal([JobState.Queued, JobState.Running, JobState.Queued], store.History(id).Select(h => h.State));
        // Stopped at a step boundary with a checkpoint there, not at the last every-50 one: nothing is lost.
        Assert.InRange(stopped.Step, 3, 1999);
        Assert.Equal(stopped.Step, RunCheckpoint.Latest(output)!.Iteration);
    }

    [Theory]
    [InlineData("--Trainer:GrpcPort=abc", "Trainer:GrpcPort")]
    [InlineData("--Trainer:HttpPort=70000", "Trainer:HttpPort")]
    [InlineData("--Trainer:BindAddress=somewhere", "Trainer:BindAddress")]
    [InlineData("--Trainer:DataDirectory= ", "Trainer:DataDirectory")]
    public async Task A_bad_setting_exits_with_code_one_and_one_line_naming_it(string setting, string key)
    {
        var (exitCode, output) = await WorkerProcess.RunUntilExitAsync($"--Trainer:DataDirectory={TinySpecs.TempDir()}", setting);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.Contains(key));
        Assert.StartsWith("Invalid configuration", line);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task A_second_worker_on_a_data_directory_in_use_exits_with_code_one()
    {
        var data = TinySpecs.TempDir();
        using var held = TrainerApplication.LockDataDirectory(data);
        var (exitCode, output) = await WorkerProcess.RunUntilExitAsync($"--Trainer:DataDirectory={data}", "--Trainer:GrpcPort=0", "--Trainer:HttpPort=0");
        Assert.Equal(1, exitCode);
        Assert.Contains("Trainer:DataDirectory", output);
        Assert.Contains("in use by another trainer worker", output);
    }
}
