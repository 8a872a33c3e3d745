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

    public IEnumerable<string> Problems()
    {
        if (DinoLossWeight <= 0) yield return $"dino_loss_weight must be > 0 (got {DinoLossWeight})";
        if (KoleoLossWeight < 0) yield return $"koleo_loss_weight must be ≥ 0 (got {KoleoLossWeight})";
        if (IbotLossWeight < 0) yield return $"ibot_loss_weight must be ≥ 0 (got {IbotLossWeight})";
        if (StudentTemp <= 0) yield return $"student_temp must be > 0 (got {StudentTemp})";
        if (CenterMomentum is < 0 or > 1) yield return $"center_momentum must be in [0, 1] (got {CenterMomentum})";
    }
}
