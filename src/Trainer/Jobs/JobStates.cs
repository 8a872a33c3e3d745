namespace EmbeddingService.Trainer.Jobs;

/// <summary>The job store's names of states and stop requests (lower case, as stored and logged) and which states are terminal.</summary>
public static class JobStates
{
    public static bool IsTerminal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    public static string Name(JobState state) => state.ToString().ToLowerInvariant();

    public static JobState Parse(string name) => Enum.Parse<JobState>(name, ignoreCase: true);

    public static string? Name(StopRequest request) => request == StopRequest.None ? null : request.ToString().ToLowerInvariant();

    public static StopRequest ParseStop(string? name) => name is null ? StopRequest.None : Enum.Parse<StopRequest>(name, ignoreCase: true);
}
