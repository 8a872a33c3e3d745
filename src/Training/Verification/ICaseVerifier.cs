namespace EmbeddingService.Training.Verification;

/// <summary>
/// Computes the outputs of one kind of parity case (a folder in the format of the shared
/// dinov2-{train,augment,knn}-parity fixtures) with the project's code, under the case's own file names.
/// </summary>
public interface ICaseVerifier
{
    /// <summary>The case kind: a train-parity manifest's <c>case</c> value, or <c>augment</c> / <c>knn</c> for those sets.</summary>
    string Kind { get; }

    void Verify(CaseFolder folder, CaseOutput output);
}
