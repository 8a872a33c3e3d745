namespace EmbeddingService.Training.Train;

/// <summary>The loss side of the official config (dino.*, ibot.*, train.centering), with its defaults.</summary>
public sealed record SslObjectiveOptions
{
    public double DinoLossWeight { get; init; } = 1.0;
    public double KoleoLossWeight { get; init; } = 0.1;
    public double IbotLossWeight { get; init; } = 1.0;
    public double StudentTemp { get; init; } = 0.1;
    public double CenterMomentum { get; init; } = 0.9;
    public TeacherCentering Centering { get; init; } = TeacherCentering.Centering;
}
