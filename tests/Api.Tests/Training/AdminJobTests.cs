using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmbeddingService.Api.Problems;
using EmbeddingService.Training.Tests.Runs;
using Grpc.Core;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Tests.Training;

/// <summary>/v1/admin/jobs end to end: the API in process and the trainer worker it starts, as separate processes.</summary>
[Collection(TrainingCollection.Name)]
public sealed class AdminJobTests(TrainingApi api) : IClassFixture<TrainingApi>
{
    private HttpClient Admin => api.Admin;

    [Fact]
    public async Task A_submitted_job_streams_its_events_to_success_over_sse()
    {
        var submitted = await TrainingApi.SubmitAsync(Admin, TrainingApi.Job(steps: 6, checkpointEvery: 3));
        var id = submitted.GetProperty("id").GetString()!;
        Assert.Equal("pretrain", submitted.GetProperty("kind").GetString());
        Assert.Contains(submitted.GetProperty("state").GetString(), new[] { "queued", "running" });
        Assert.Equal(6, submitted.GetProperty("spec").GetProperty("optim").GetProperty("steps").GetInt32());

        var events = await TrainingApi.WatchAsync(Admin, id);
        Assert.Equal("state", events[0].Type);
        Assert.Equal(("state", "succeeded"), (events[^1].Type, events[^1].Data.GetProperty("state").GetString()));
        var steps = events.Where(e => e.Type == "progress" && e.Data.GetProperty("losses").EnumerateObject().Any()).Select(e => e.Data.GetProperty("step").GetInt64()).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], steps);
        var progress = events.First(e => e.Type == "progress" && e.Data.GetProperty("step").GetInt64() == 6).Data;
        Assert.Equal(6, progress.GetProperty("total_steps").GetInt64());
        Assert.True(progress.GetProperty("total_loss").GetDouble() > 0);
        Assert.Contains(events, e => e.Type == "checkpoint" && e.Data.GetProperty("step").GetInt64() == 3);

        var job = await TrainingApi.GetJsonAsync(Admin, $"/v1/admin/jobs/{id}");
        Assert.Equal(("succeeded", 6L), (job.GetProperty("state").GetString(), job.GetProperty("step").GetInt64()));
        Assert.Equal(["queued", "running", "succeeded"], job.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("state").GetString()));

        // A terminal job's stream is its state and nothing more.
        var again = await TrainingApi.WatchAsync(Admin, id);
        Assert.Equal("succeeded", Assert.Single(again).Data.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_running_job_is_cancelled_at_a_step_boundary()
    {
        var id = (await TrainingApi.SubmitAsync(Admin, TrainingApi.Job(steps: 5000))).GetProperty("id").GetString()!;
        var events = await TrainingApi.WatchAsync(Admin, id, (type, data) => type == "progress" && data.GetProperty("step").GetInt64() >= 2);
        Assert.NotEmpty(events);
        var cancelling = await TrainingApi.PostJsonAsync(Admin, $"/v1/admin/jobs/{id}/cancel");
        Assert.Contains(cancelling.GetProperty("state").GetString(), new[] { "running", "cancelled" });
        var rest = await TrainingApi.WatchAsync(Admin, id);
        Assert.Equal("cancelled", rest[^1].Data.GetProperty("state").GetString());
        var cancelled = await TrainingApi.GetJsonAsync(Admin, $"/v1/admin/jobs/{id}");
        Assert.InRange(cancelled.GetProperty("step").GetInt64(), 2, 4999);

        // Cancelling again does not apply to a cancelled job.
        await ProblemAssert.ExpectAsync(await Admin.PostAsync($"/v1/admin/jobs/{id}/cancel", null), HttpStatusCode.Conflict, ApiProblems.JobState);
    }

    [Fact]
    public async Task A_paused_job_resumes_from_its_checkpoint_and_continues_the_step_count()
    {
        const int Steps = 120;
        var id = (await TrainingApi.SubmitAsync(Admin, TrainingApi.Job(Steps, checkpointEvery: 10))).GetProperty("id").GetString()!;
        await TrainingApi.WatchAsync(Admin, id, (type, data) => type == "progress" && data.GetProperty("step").GetInt64() >= 3);
        await TrainingApi.PostJsonAsync(Admin, $"/v1/admin/jobs/{id}/pause");
        var pausing = await TrainingApi.WatchAsync(Admin, id, (type, data) => type == "state" && data.GetProperty("state").GetString() == "paused");
        var pausedAt = pausing[^1].Data.GetProperty("step").GetInt64();
        Assert.InRange(pausedAt, 3, Steps - 1);

        var resumed = await TrainingApi.PostJsonAsync(Admin, $"/v1/admin/jobs/{id}/resume");
        Assert.Contains(resumed.GetProperty("state").GetString(), new[] { "queued", "running" });
        var events = await TrainingApi.WatchAsync(Admin, id);
        Assert.Equal("succeeded", events[^1].Data.GetProperty("state").GetString());
        var start = events.First(e => e.Type == "progress" && e.Data.TryGetProperty("resumed_from", out var from) && from.ValueKind == JsonValueKind.String);
        Assert.Equal(pausedAt, start.Data.GetProperty("step").GetInt64());
        var job = await TrainingApi.GetJsonAsync(Admin, $"/v1/admin/jobs/{id}");
        Assert.Equal(["queued", "running", "paused", "queued", "running", "succeeded"], job.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("state").GetString()));
        await ProblemAssert.ExpectAsync(await Admin.PostAsync($"/v1/admin/jobs/{id}/resume", null), HttpStatusCode.Conflict, ApiProblems.JobState);
    }

    [Fact]
    public async Task The_same_idempotency_key_with_the_same_body_answers_the_first_job_and_with_another_body_409()
    {
        var key = Guid.NewGuid().ToString("N");
        var job = TrainingApi.Job(steps: 2);
        var first = await TrainingApi.SubmitAsync(Admin, job, HttpStatusCode.Created, key);
        var second = await TrainingApi.SubmitAsync(Admin, job, HttpStatusCode.OK, key);
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(key, second.GetProperty("idempotency_key").GetString());

        var other = await Admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/admin/jobs")
        {
            Content = JsonContent.Create(TrainingApi.Job(steps: 3)),
            Headers = { { "Idempotency-Key", key } },
        });
        await ProblemAssert.ExpectAsync(other, HttpStatusCode.Conflict, ApiProblems.IdempotencyConflict);
        var response = await Admin.PostAsJsonAsync("/v1/admin/jobs", TrainingApi.Job(steps: 2));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/v1/admin/jobs/{JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
    }

    public static TheoryData<string, string, string> BadSubmissions() => new()
    {
        { """{"kind":"finetune","spec":{}}""", ApiProblems.InvalidSpec, "kind: must be pretrain, distill, eval-knn, not \"finetune\"" },
        { """{"spec":{}}""", ApiProblems.InvalidSpec, "kind: " },
        { """{"kind":"pretrain"}""", ApiProblems.InvalidSpec, "spec: " },
        { """{"kind":"pretrain","spec":{},"colour":1}""", ApiProblems.InvalidArgument, "\"colour\"" },
        { new JsonObject { ["kind"] = "pretrain", ["spec"] = TinyRuns.Pretrain(2).With("optim.stepz", 3) }.ToJsonString(), ApiProblems.InvalidSpec, "optim.stepz" },
        { new JsonObject { ["kind"] = "pretrain", ["spec"] = TinyRuns.Pretrain(2).With("batch_size", 0) }.ToJsonString(), ApiProblems.InvalidSpec, "batch_size" },
        { new JsonObject { ["kind"] = "pretrain", ["spec"] = TinyRuns.Pretrain(2).With("data", new JsonObject { ["train"] = "no-such-folder" }) }.ToJsonString(), ApiProblems.InvalidSpec, "data.train" },
        { new JsonObject { ["kind"] = "distill", ["spec"] = TinyRuns.Pretrain(2) }.ToJsonString(), ApiProblems.InvalidSpec, "kind" },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task A_bad_submission_is_refused_naming_the_field_and_nothing_is_queued(string body, string code, string detail)
    {
        var before = await CountJobsAsync();
        var response = await Admin.PostAsync("/v1/admin/jobs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await ProblemAssert.ExpectAsync(response, HttpStatusCode.BadRequest, code);
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
        Assert.Equal(before, await CountJobsAsync());
    }

    [Fact]
    public async Task Paths_outside_the_data_root_are_refused()
    {
        var outside = Path.Combine(api.Root, "outside");
        Directory.CreateDirectory(Path.Combine(outside, "class-a"));
        var link = Path.Combine(api.DataRoot, "escape");
        if (!Directory.Exists(link)) Directory.CreateSymbolicLink(link, outside);
        var before = await CountJobsAsync();
        foreach (var train in new[] { "../outside", outside, "escape" })
        {
            var job = new JsonObject { ["kind"] = "pretrain", ["spec"] = TinyRuns.Pretrain(2).With("data", new JsonObject { ["train"] = train }) };
            var problem = await ProblemAssert.ExpectAsync(await Admin.PostAsJsonAsync("/v1/admin/jobs", job), HttpStatusCode.BadRequest, ApiProblems.PathOutsideDataRoot);
            Assert.Contains("data.train", problem.GetProperty("detail").GetString());
        }
        Assert.Equal(before, await CountJobsAsync());
    }

    [Fact]
    public async Task Specs_larger_than_the_limit_and_bodies_that_are_not_json_are_refused()
    {
        var huge = new JsonObject { ["kind"] = "pretrain", ["spec"] = TinyRuns.Pretrain(2).With("notes", new string('x', 300 * 1024)) };
        await ProblemAssert.ExpectAsync(await Admin.PostAsJsonAsync("/v1/admin/jobs", huge), HttpStatusCode.RequestEntityTooLarge, ApiProblems.SpecTooLarge);
        await ProblemAssert.ExpectAsync(await Admin.PostAsync("/v1/admin/jobs", new StringContent("kind=pretrain")), HttpStatusCode.UnsupportedMediaType, ApiProblems.UnsupportedMediaType);
        await ProblemAssert.ExpectAsync(await Admin.PostAsync("/v1/admin/jobs", new StringContent("{", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
    }

    [Fact]
    public async Task Unknown_jobs_are_404_and_bad_list_filters_400()
    {
        foreach (var path in new[] { "/v1/admin/jobs/nope", "/v1/admin/jobs/nope/events", "/v1/admin/jobs/nope/metrics", "/v1/admin/jobs/nope/logs", "/v1/admin/jobs/nope/artifacts" })
            await ProblemAssert.ExpectAsync(await Admin.GetAsync(path), HttpStatusCode.NotFound, ApiProblems.JobNotFound);
        await ProblemAssert.ExpectAsync(await Admin.PostAsync("/v1/admin/jobs/nope/resume", null), HttpStatusCode.NotFound, ApiProblems.JobNotFound);
        await ProblemAssert.ExpectAsync(await Admin.GetAsync("/v1/admin/jobs?state=sleeping"), HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
        await ProblemAssert.ExpectAsync(await Admin.GetAsync("/v1/admin/jobs?colour=red"), HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
        await ProblemAssert.ExpectAsync(await Admin.GetAsync("/v1/admin/jobs?page_size=-1"), HttpStatusCode.BadRequest, ApiProblems.InvalidArgument);
    }

    [Fact]
    public async Task Jobs_are_listed_newest_first_filtered_by_state_and_kind_in_pages()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((await TrainingApi.SubmitAsync(Admin, TrainingApi.Job(steps: 2))).GetProperty("id").GetString()!);
        foreach (var id in ids) await TrainingApi.WatchAsync(Admin, id);

        var page = await TrainingApi.GetJsonAsync(Admin, "/v1/admin/jobs?state=succeeded&kind=pretrain&page_size=2");
        var first = page.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()).ToList();
        Assert.Equal([ids[2], ids[1]], first);
        Assert.All(page.GetProperty("jobs").EnumerateArray(), j => Assert.False(j.TryGetProperty("history", out _)));
        var next = await TrainingApi.GetJsonAsync(Admin, $"/v1/admin/jobs?state=succeeded,cancelled&page_size=2&page_token={page.GetProperty("next_page_token").GetString()}");
        Assert.Equal(ids[0], next.GetProperty("jobs")[0].GetProperty("id").GetString());
        Assert.Empty((await TrainingApi.GetJsonAsync(Admin, "/v1/admin/jobs?kind=eval-knn")).GetProperty("jobs").EnumerateArray());
    }

    [Fact]
    public async Task Admin_routes_need_an_admin_key_on_rest_and_grpc()
    {
        var address = api.Service.RestClient.BaseAddress!;
        using var anonymous = TrainingApi.WithKey(address, null);
        using var user = TrainingApi.WithKey(address, TrainingApi.UserKey);
        foreach (var path in new[] { "/v1/admin/jobs", "/v1/admin/models", "/v1/admin/jobs/x/events" })
        {
            await ProblemAssert.ExpectAsync(await anonymous.GetAsync(path), HttpStatusCode.Unauthorized, ApiProblems.Unauthorized);
            await ProblemAssert.ExpectAsync(await user.GetAsync(path), HttpStatusCode.Forbidden, ApiProblems.Forbidden);
        }
        await ProblemAssert.ExpectAsync(await user.PostAsJsonAsync("/v1/admin/jobs", TrainingApi.Job(2)), HttpStatusCode.Forbidden, ApiProblems.Forbidden);
        await ProblemAssert.ExpectAsync(await user.PostAsync("/v1/admin/models/configured/activate", null), HttpStatusCode.Forbidden, ApiProblems.Forbidden);

        var client = new V1.Training.TrainingClient(api.Service.GrpcChannel);
        var none = await Assert.ThrowsAsync<RpcException>(async () => await client.ListJobsAsync(new V1.ListJobsRequest()));
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await client.ListJobsAsync(new V1.ListJobsRequest(), Bearer(TrainingApi.UserKey)));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task The_apis_grpc_port_forwards_the_training_service_to_the_worker()
    {
        var client = new V1.Training.TrainingClient(api.Service.GrpcChannel);
        var admin = Bearer(TrainingApi.AdminKey);
        var job = await client.SubmitJobAsync(new V1.SubmitJobRequest { Kind = V1.JobKind.Pretrain, SpecJson = TinyRuns.Pretrain(2).ToJsonString() }, admin);
        using var watch = client.WatchJob(new V1.JobRef { Id = job.Id }, admin);
        var states = new List<V1.JobState>();
        await foreach (var e in watch.ResponseStream.ReadAllAsync())
            if (e.EventCase == V1.JobEvent.EventOneofCase.State) states.Add(e.State.State);
        Assert.Equal(V1.JobState.Succeeded, states[^1]);
        Assert.Equal(job.Id, (await client.GetJobAsync(new V1.JobRef { Id = job.Id }, admin)).Id);

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.GetJobAsync(new V1.JobRef { Id = "nope" }, admin));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.StartsWith("job_not_found: ", missing.Status.Detail);
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitJobAsync(
            new V1.SubmitJobRequest { Kind = V1.JobKind.Pretrain, SpecJson = TinyRuns.Pretrain(2).With("optim.stepz", 1).ToJsonString() }, admin));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.StartsWith("invalid_spec: ", bad.Status.Detail);
    }

    private static Metadata Bearer(string key) => new() { { "authorization", $"Bearer {key}" } };

    private async Task<int> CountJobsAsync() => (await TrainingApi.GetJsonAsync(Admin, "/v1/admin/jobs?page_size=500")).GetProperty("jobs").GetArrayLength();
}
