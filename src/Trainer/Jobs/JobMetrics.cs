using System.Globalization;
using System.Text;
using EmbeddingService.Training.Runs;

namespace EmbeddingService.Trainer.Jobs;

/// <summary>
/// /metrics in the Prometheus text format: jobs by state (from the store), the active model's generation, and for the
/// running job its step, steps per second (this session's average), images per second (its last step) and current loss terms.
/// </summary>
public sealed class JobMetrics
{
    private readonly Lock _gate = new();
    private (string JobId, StepMetrics Step, double StepsPerSecond)? _running;

    public void Step(string jobId, StepMetrics step, double stepsPerSecond)
    {
        lock (_gate) _running = (jobId, step, stepsPerSecond);
    }

    public void Ended(string jobId)
    {
        lock (_gate)
            if (_running?.JobId == jobId) _running = null;
    }

    public string Render(IReadOnlyDictionary<JobState, long> jobsByState, long activeModelGeneration)
    {
        var text = new StringBuilder();
        text.Append("# HELP trainer_jobs Jobs in the job store by state.\n# TYPE trainer_jobs gauge\n");
        foreach (var (state, count) in jobsByState.OrderBy(s => s.Key))
            text.Append(CultureInfo.InvariantCulture, $"trainer_jobs{{state=\"{JobStates.Name(state)}\"}} {count}\n");
        text.Append("# HELP trainer_active_model_generation Activations so far (0: none; the replicas serve their configured weights).\n# TYPE trainer_active_model_generation gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"trainer_active_model_generation {activeModelGeneration}\n");
        (string JobId, StepMetrics Step, double StepsPerSecond)? running;
        lock (_gate) running = _running;
        if (running is not { } r) return text.ToString();
        var job = $"job=\"{r.JobId}\"";
        text.Append("# HELP trainer_job_step Iterations done by the running job.\n# TYPE trainer_job_step gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"trainer_job_step{{{job}}} {r.Step.Iteration + 1}\n");
        text.Append("# HELP trainer_job_total_steps Iterations of the running job's run.\n# TYPE trainer_job_total_steps gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"trainer_job_total_steps{{{job}}} {r.Step.TotalIterations}\n");
        text.Append("# HELP trainer_steps_per_second Steps per second of the running job since it (re)started.\n# TYPE trainer_steps_per_second gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"trainer_steps_per_second{{{job}}} {Number(r.StepsPerSecond)}\n");
        text.Append("# HELP trainer_images_per_second Images per second of the running job's last step.\n# TYPE trainer_images_per_second gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"trainer_images_per_second{{{job}}} {Number(r.Step.ImagesPerSecond)}\n");
        text.Append("# HELP trainer_loss The running job's loss terms at its last step.\n# TYPE trainer_loss gauge\n");
        foreach (var (term, value) in r.Step.Losses.Append(KeyValuePair.Create("total_loss", r.Step.TotalLoss)))
            text.Append(CultureInfo.InvariantCulture, $"trainer_loss{{{job},term=\"{term}\"}} {Number(value)}\n");
        return text.ToString();
    }

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
