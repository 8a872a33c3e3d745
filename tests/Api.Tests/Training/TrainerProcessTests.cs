using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmbeddingService.Api.Problems;
using EmbeddingService.Api.Training;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Tests.Training;

/// <summary>The local worker's supervision with real processes and signals: a killed worker is restarted; a killed API's worker keeps its job and is adopted.</summary>
[Collection(TrainingCollection.Name)]
public sealed class TrainerProcessTests
{
    [Fact]
    public async Task A_worker_killed_with_sigkill_is_restarted_and_calls_meanwhile_get_503_with_retry_after()
    {
        var api = new TrainingApi();
        await api.InitializeAsync();
        try
        {
            var supervisor = api.Service.App.Services.GetRequiredService<LocalTrainerSupervisor>();
            var first = supervisor.WorkerPid!.Value;
            System.Diagnostics.Process.GetProcessById(first).Kill();

            var refused = await api.Admin.GetAsync("/v1/admin/jobs");
            var problem = await ProblemAssert.ExpectAsync(refused, HttpStatusCode.ServiceUnavailable, ApiProblems.TrainerUnavailable);
            Assert.NotNull(refused.Headers.RetryAfter?.Delta);
            Assert.Contains("cannot be reached", problem.GetProperty("detail").GetString());

            await TrainingApi.WaitForWorkerAsync(api.Admin);
            // The supervisor records the new worker once its health answers, which can trail its first gRPC answer.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (supervisor.WorkerPid == first && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.NotEqual(first, supervisor.WorkerPid);
            Assert.Equal(2, supervisor.Starts);
            var (_, state) = await TrainingApi.RunAsync(api.Admin, TrainingApi.Job(steps: 2));
            Assert.Equal("succeeded", state);
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    [Fact]
    public async Task After_a_sigkill_of_the_api_its_worker_keeps_running_the_job_and_the_restarted_api_adopts_it()
    {
        var root = TestService.NewDataDirectory();
        var (grpcPort, httpPort) = (ServiceProcess.FreePort(), ServiceProcess.FreePort());
        string[] settings = [.. EmbedTestData.TinyModel, .. TrainingApi.TrainingSettings(root, grpcPort, httpPort)];
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var worker = new V1.Training.TrainingClient(channel);
        var pidFile = Path.Combine(root, "worker", LocalTrainerSupervisor.PidFile);
        int workerPid;
        try
        {
            string id;
            using (var first = await ServiceProcess.StartAsync(settings))
            {
                await TrainingApi.WaitForWorkerAsync(first.Client);
                id = (await TrainingApi.SubmitAsync(first.Client, TrainingApi.Job(steps: 400, checkpointEvery: 20))).GetProperty("id").GetString()!;
                await TrainingApi.WatchAsync(first.Client, id, (type, data) => type == "progress" && data.GetProperty("step").GetInt64() >= 2);
                workerPid = int.Parse(File.ReadAllText(pidFile));
                first.Kill();
            }

            // The API is gone; its worker goes on with the job.
            var before = (await worker.GetJobAsync(new V1.JobRef { Id = id })).Step;
            await Task.Delay(1500);
            var during = await worker.GetJobAsync(new V1.JobRef { Id = id });
            Assert.True(during.State == V1.JobState.Succeeded || during.Step > before, $"the job did not advance without the API: {during}");
            Assert.False(HasExited(workerPid));

            using var restarted = await ServiceProcess.StartAsync(settings);
            await TrainingApi.WaitForWorkerAsync(restarted.Client);
            var job = await TrainingApi.GetJsonAsync(restarted.Client, $"/v1/admin/jobs/{id}");
            Assert.Contains(job.GetProperty("state").GetString(), new[] { "running", "succeeded" });
            Assert.DoesNotContain(job.GetProperty("history").EnumerateArray(), h => h.GetProperty("reason").GetString() == "worker_lost");
            Assert.Single((await TrainingApi.GetJsonAsync(restarted.Client, "/v1/admin/jobs")).GetProperty("jobs").EnumerateArray());
            Assert.Equal(workerPid, int.Parse(File.ReadAllText(pidFile)));
            Assert.Contains("Adopted the trainer worker", restarted.Output);

            // A graceful stop of the API stops the worker it adopted (SIGTERM: it checkpoints and exits).
            restarted.Terminate();
            Assert.Equal(0, await restarted.WaitForExitAsync(TimeSpan.FromMinutes(1)));
            // The model follower's watch ends with the stop; that is no failure of a background service.
            Assert.DoesNotContain("BackgroundService failed", restarted.Output);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!HasExited(workerPid))
            {
                Assert.True(DateTime.UtcNow < deadline, "the adopted worker was not stopped with the API");
                await Task.Delay(100);
            }
        }
        finally
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile), out var pid) && !HasExited(pid)) System.Diagnostics.Process.GetProcessById(pid).Kill();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Gone, or a zombie: the worker of a killed API is no child of this process.</summary>
    private static bool HasExited(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return true;
        }
    }
}
