using System.Security.Cryptography;
using System.Text;
using EmbeddingService.Trainer.Models;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>A job as submitted; <see cref="JobSubmissionValidator"/> turns it into a <see cref="NewJob"/> or refuses it.</summary>
public sealed record JobSubmission(JobKind Kind, string SpecJson, int Priority, string? IdempotencyKey);

/// <summary>
/// Reads a submission's spec as `embedctl train` does (unknown fields, ranges, the teacher file), with every path
/// confined to <see cref="DataRoot"/>, and scans its data and evaluation folders — for eval-knn, also finds its
/// registered model, and resolves its device on this worker — so a job that cannot start is refused before it is queued.
/// </summary>
public sealed class JobSubmissionValidator(DataRoot dataRoot, ModelStore models)
{
    public NewJob Validate(JobSubmission submission)
    {
        if (string.IsNullOrWhiteSpace(submission.SpecJson))
            throw new JobRequestException(JobError.InvalidSpec, "spec_json: the run spec is required (a JSON object, as `embedctl train --config` reads)");
        if (submission.IdempotencyKey is { Length: > 200 })
            throw new JobRequestException(JobError.InvalidArgument, $"idempotency_key: at most 200 characters, not {submission.IdempotencyKey.Length}");
        var json = SpecPaths.Confine(submission.SpecJson, submission.Kind, dataRoot);
        var (canonical, hash) = submission.Kind == JobKind.EvalKnn ? EvalKnn(json) : Run(json, JobKinds.Run(submission.Kind)!.Value);
        return new NewJob
        {
            Kind = submission.Kind,
            Spec = canonical,
            SpecHash = hash,
            Priority = submission.Priority,
            IdempotencyKey = submission.IdempotencyKey,
            BodyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{JobKinds.Name(submission.Kind)}\n{submission.Priority}\n{canonical}"))),
        };
    }

    private static (string Canonical, string Hash) Run(string json, RunKind kind)
    {
        var spec = Parse(() => RunSpecFile.Parse(json, kind));
        Parse(() => RunDevice.Resolve(spec.Execution.Device, "execution.device"));
        CheckData("data.train", () => RunInputs.BatchesFor(spec));
        CheckData("evaluation", () => RunInputs.EvaluationFor(spec));
        return (RunSpecFile.Canonical(spec), RunSpecFile.Hash(spec));
    }

    private (string Canonical, string Hash) EvalKnn(string json)
    {
        var spec = Parse(() => KnnEvalSpecFile.Parse(json));
        Parse(() => RunDevice.Resolve(spec.Device, "device"));
        CheckData("evaluation", () => FolderKnnEvaluation.Check(spec.Evaluation));
        if (spec.Model is { } id && models.Find(id) is null)
            throw new JobRequestException(JobError.ModelNotFound, $"model: there is no model '{id}'; the model list (GET /v1/admin/models, gRPC ListModels) gives the registered ones");
        return (KnnEvalSpecFile.Canonical(spec), KnnEvalSpecFile.Hash(spec));
    }

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (RunSpecException e)
        {
            throw new JobRequestException(JobError.InvalidSpec, string.Join("; ", e.Problems));
        }
    }

    private static void CheckData(string field, Action scan)
    {
        try
        {
            scan();
        }
        catch (DatasetException e)
        {
            throw new JobRequestException(JobError.InvalidSpec, $"{field}: {e.Reason}: {e.Message}");
        }
        // The evaluation folders' classes or k that do not fit the train set.
        catch (ArgumentException e) when (e is not RunSpecException)
        {
            throw new JobRequestException(JobError.InvalidSpec, $"{field}: {e.Message}");
        }
    }
}
