namespace EmbeddingService.Training.Train;

/// <summary>How teacher outputs become targets (train.centering).</summary>
public enum TeacherCentering
{
    /// <summary>Softmax of the outputs minus a running mean (centre momentum 0.9), ssl_default_config's "centering".</summary>
    Centering,

    /// <summary>Three Sinkhorn-Knopp iterations, "sinkhorn_knopp" (what the released models used).</summary>
    SinkhornKnopp,
}
