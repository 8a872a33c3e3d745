using EmbeddingService.Engine.Model;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Evaluation;

/// <summary>
/// The official k-NN classifier (dinov2/eval/knn.py KnnModule): the max_k most similar train rows get weights
/// softmax(sims / T) over all max_k of them, and the class probabilities for each k in <see cref="NbKnn"/> sum
/// the first k weights per label, so for k &lt; max_k they do not sum to 1 (DINO v1's unnormalised
/// exp(sim / T) vote ranks the same but gives other values).
/// </summary>
public sealed class KnnClassifier
{
    private readonly NearestNeighbors _neighbors;
    private readonly Tensor _trainLabels;

    /// <param name="trainFeatures">[N, D], L2-normalised; kept by reference.</param>
    /// <param name="trainLabels">[N] int64 class ids below <paramref name="numClasses"/>.</param>
    public KnnClassifier(Tensor trainFeatures, Tensor trainLabels, IReadOnlyList<int> nbKnn, double temperature, long numClasses,
        long trainChunkSize = 65_536)
    {
        if (nbKnn.Count == 0 || nbKnn.Any(k => k <= 0)) throw new ArgumentException("nb_knn needs positive values", nameof(nbKnn));
        if (trainLabels.shape.Length != 1 || trainLabels.shape[0] != trainFeatures.shape[0])
            throw new ArgumentException($"{trainLabels.shape[0]} labels for {trainFeatures.shape[0]} train rows", nameof(trainLabels));
        _neighbors = new NearestNeighbors(trainFeatures, trainChunkSize);
        _trainLabels = trainLabels;
        NbKnn = [.. nbKnn];
        MaxK = nbKnn.Max();
        Temperature = temperature;
        NumClasses = numClasses;
    }

    public IReadOnlyList<int> NbKnn { get; }

    public int MaxK { get; }

    public double Temperature { get; }

    public long NumClasses { get; }

    /// <summary>The max_k nearest train rows of each of <paramref name="features"/> [Q, D] (L2-normalised).</summary>
    public Neighbors Search(Tensor features) => _neighbors.Search(features, MaxK);

    /// <summary>probas [Q, num_classes] float32 for each k of <see cref="NbKnn"/>.</summary>
    public IReadOnlyDictionary<int, Tensor> Forward(Tensor features)
    {
        using var scope = NewDisposeScope();
        using var neighbors = Search(features);
        var weights = neighbors.Sims.DividedBy(Temperature).softmax(1);
        var labels = _trainLabels.to(features.device).index_select(0, neighbors.Indices.flatten()).view_as(neighbors.Indices);
        // A scatter over the first k neighbours instead of the official one-hot product [Q, max_k, C]: that one
        // is 205 MB for 256 queries, k = 200 and ImageNet's 1,000 classes.
        var probas = new Dictionary<int, Tensor>();
        foreach (var k in NbKnn)
            probas[k] = zeros([features.shape[0], NumClasses], weights.dtype, features.device)
                .scatter_add(1, labels.narrow(1, 0, k), weights.narrow(1, 0, k)).MoveToOuterDisposeScope();
        return probas;
    }
}
