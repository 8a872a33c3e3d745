using System.Security.Cryptography;
using System.Text;
using EmbeddingService.Training.Data;
using EmbeddingService.Training.Runs;
using EmbeddingService.Training.Runs.Spec;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// A job as submitted. <see cref="Validate"/> reads the spec as `embedctl train` does (unknown fields, ranges, the
/// teacher file) and scans its data and evaluation folders, so a job that cannot start is refused before it is queued.
/// </summary>
public sealed record JobSubmission(RunKind Kind, string SpecJson, int Priority, string? IdempotencyKey)
{
    public NewJob Validate()
    {
        if (string.IsNullOrWhiteSpace(SpecJson))
            throw new JobRequestException(JobError.InvalidSpec, "spec_json: the run spec is required (a JSON object, as `embedctl train --config` reads)");
        if (IdempotencyKey is { Length: > 200 })
            throw new JobRequestException(JobError.InvalidArgument, $"idempotency_key: at most 200 characters, not {IdempotencyKey.Length}");
        RunSpec spec;
        try
        {
            spec = RunSpecFile.Parse(SpecJson, Kind);
        }
        catch (RunSpecException e)
        {
            throw new JobRequestException(JobError.InvalidSpec, string.Join("; ", e.Problems));
        }
        CheckData("data.train", () => RunInputs.BatchesFor(spec));
        CheckData("evaluation", () => RunInputs.EvaluationFor(spec));
        var canonical = RunSpecFile.Canonical(spec);
        return new NewJob
        {
            Kind = Kind,
            Spec = canonical,
            SpecHash = RunSpecFile.Hash(spec),
            Priority = Priority,
            IdempotencyKey = IdempotencyKey,
            BodyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{RunSpecFile.Name(Kind)}\n{Priority}\n{canonical}"))),
        };
    }

    private static void CheckData(string field, Func<object?> scan)
    {
        try
        {
            scan();
        }
        catch (DatasetException e)
        {
            throw new JobRequestException(JobError.InvalidSpec, $"{field}: {e.Reason}: {e.Message}");
        }
    }
}
