namespace EmbeddingService.Api.Tests.Training;

/// <summary>
/// The tests that run trainer workers: one after another, and not beside the other tests, whose deadlines and
/// timings a training job and a swap under load would otherwise disturb on a small machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection
{
    public const string Name = "Trainer workers";
}
