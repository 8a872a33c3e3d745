using EmbeddingService.Training.Optimization;

namespace EmbeddingService.Training.Train;

/// <summary>The scheduled values of one iteration.</summary>
public sealed record StepSchedule(double Lr, double Wd, double Momentum, double TeacherTemp, double LastLayerLr)
{
    public static StepSchedule At(TrainingSchedules schedules, int iteration) => new(
        schedules.Lr[iteration], schedules.Wd[iteration], schedules.Momentum[iteration],
        schedules.TeacherTemp[iteration], schedules.LastLayerLr[iteration]);
}
