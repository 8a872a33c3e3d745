using EmbeddingService.Training.Evaluation;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Evaluation;

public sealed class KnnEvaluationTests
{
    [Theory]
    [MemberData(nameof(KnnFixture.Cases), MemberType = typeof(KnnFixture))]
    public void Normalised_features_and_neighbours_match_the_official(string name)
    {
        using var scope = NewDisposeScope();
        var fixture = new KnnFixture(name);
        var train = KnnEvaluation.Normalize(fixture.File("train_features_raw"));
        var test = KnnEvaluation.Normalize(fixture.File("test_features_raw"));
        Tolerance.Within(fixture.File("train_features_normalized"), train, 1e-6, "train_features_normalized");
        Tolerance.Within(fixture.File("test_features_normalized"), test, 1e-6, "test_features_normalized");

        var labels = fixture.File("train_labels");
        var nbKnn = fixture.Ints("nb_knn");
        var classifier = new KnnClassifier(train, labels, nbKnn, fixture.Config.GetProperty("T").GetDouble(), labels.max().item<long>() + 1);
        using var neighbors = classifier.Search(test);

        Tolerance.Within(fixture.File("topk_sims"), neighbors.Sims, 1e-5, "topk_sims");
        // No similarity gap at a k boundary is below 1e-6 in the fixtures, so the first k rows form the same set.
        var expected = fixture.File("topk_neighbor_indices").to(int64);
        foreach (var k in nbKnn)
            Assert.True(expected[.., ..k].sort(1).Values.equal(neighbors.Indices[.., ..k].sort(1).Values).all().item<bool>(), $"neighbour sets at k={k}");
    }

    [Theory]
    [MemberData(nameof(KnnFixture.Cases), MemberType = typeof(KnnFixture))]
    public void Probas_predictions_and_accuracies_match_the_official(string name)
    {
        using var scope = NewDisposeScope();
        var fixture = new KnnFixture(name);
        var evaluation = new KnnEvaluation(fixture.Ints("nb_knn"), fixture.Config.GetProperty("T").GetDouble(), fixture.Ints("n_per_class_list"),
            fixture.Config.GetProperty("n_tries").GetInt32());
        var subsets = fixture.Case.GetProperty("subset_indices");

        using var result = evaluation.Evaluate(fixture.File("train_features_raw"), fixture.File("train_labels"), fixture.File("test_features_raw"),
            fixture.File("test_labels"), (npc, t) => KnnFixture.Npy(subsets.GetProperty($"{npc} per class/try{t}").GetString()!), keepProbas: true);

        var recorded = fixture.Case.GetProperty("results");
        Assert.Equal(recorded.EnumerateObject().Select(r => r.Name).Order(), result.Results.Select(r => r.Key).Order());
        foreach (var ours in result.Results)
        {
            var official = recorded.GetProperty(ours.Key);
            Tolerance.Within(KnnFixture.Npy(official.GetProperty("probas").GetString()!), ours.Probas!, 1e-5, $"{ours.Key} probas");
            Assert.Equal(KnnFixture.Npy(official.GetProperty("pred").GetString()!).data<long>().ToArray(), ours.Pred.data<long>().ToArray());
            Assert.Equal(official.GetProperty("top-1").GetDouble(), ours.Top1, 1e-6);
            var bounds = official.GetProperty("top-5_detail").GetProperty("tie_independent_bounds");
            Assert.InRange(ours.Top5!.Value, bounds[0].GetDouble() - 1e-6, bounds[1].GetDouble() + 1e-6);
        }

        var averages = fixture.Case.GetProperty("accuracy_averaged_over_tries");
        Assert.Equal(averages.EnumerateObject().Select(a => a.Name).Order(), result.Averages.Select(a => a.Key).Order());
        foreach (var ours in result.Averages)
        {
            Assert.Equal(averages.GetProperty(ours.Key).GetProperty("top-1").GetDouble(), ours.Top1, 1e-6);
            // Averages of per-try values that are exact or tie-bounded lie within the averaged bounds.
            var tries = recorded.EnumerateObject().Select(r => r.Value)
                .Where(r => r.GetProperty("n_per_class").GetString() == ours.NPerClass && r.GetProperty("k").GetInt32() == ours.K)
                .Select(r => r.GetProperty("top-5_detail").GetProperty("tie_independent_bounds")).ToArray();
            Assert.InRange(ours.Top5!.Value, tries.Average(b => b[0].GetDouble()) - 1e-6, tries.Average(b => b[1].GetDouble()) + 1e-6);
        }
    }

    [Fact]
    public void Top5_equals_the_torch_topk_value_where_ties_leave_it_open()
    {
        using var scope = NewDisposeScope();
        var fixture = new KnnFixture("per_class");
        var evaluation = new KnnEvaluation(fixture.Ints("nb_knn"), fixture.Config.GetProperty("T").GetDouble());
        using var result = evaluation.Evaluate(fixture.File("train_features_raw"), fixture.File("train_labels"), fixture.File("test_features_raw"), fixture.File("test_labels"));

        foreach (var ours in result.Results)
            Assert.Equal(fixture.Case.GetProperty("results").GetProperty(ours.Key).GetProperty("top-5").GetDouble(), ours.Top5!.Value, 1e-6);
    }

    [Fact]
    public void Chunked_test_and_train_scans_give_the_unchunked_results()
    {
        using var scope = NewDisposeScope();
        var fixture = new KnnFixture("hard");
        var (trainX, trainY, testX, testY) = (fixture.File("train_features_raw"), fixture.File("train_labels"), fixture.File("test_features_raw"), fixture.File("test_labels"));
        var nbKnn = fixture.Ints("nb_knn");

        using var whole = new KnnEvaluation(nbKnn).Evaluate(trainX, trainY, testX, testY, keepProbas: true);
        // 7-row test batches and 30-row train chunks: every chunk is smaller than k=200, so the merge does the work.
        using var chunked = new KnnEvaluation(nbKnn, batchSize: 7, trainChunkSize: 30).Evaluate(trainX, trainY, testX, testY, keepProbas: true);

        foreach (var (a, b) in whole.Results.Zip(chunked.Results))
        {
            Assert.Equal(a.Key, b.Key);
            Tolerance.Within(a.Probas!, b.Probas!, 1e-6, a.Key);
            Assert.Equal(a.Pred.data<long>().ToArray(), b.Pred.data<long>().ToArray());
            Assert.Equal((a.Top1, a.Top5), (b.Top1, b.Top5));
        }
    }

    [Fact]
    public void Own_few_shot_subsets_are_seeded_per_try_and_averaged()
    {
        using var scope = NewDisposeScope();
        var fixture = new KnnFixture("per_class");
        var evaluation = new KnnEvaluation(fixture.Ints("nb_knn"), nPerClassList: [5, 20], nTries: 3);
        var inputs = (fixture.File("train_features_raw"), fixture.File("train_labels"), fixture.File("test_features_raw"), fixture.File("test_labels"));

        using var first = evaluation.Evaluate(inputs.Item1, inputs.Item2, inputs.Item3, inputs.Item4);
        using var second = evaluation.Evaluate(inputs.Item1, inputs.Item2, inputs.Item3, inputs.Item4);

        Assert.Equal(["5_per_class/try0/k5", "5_per_class/try1/k5", "5_per_class/try2/k5", "20_per_class/try0/k10", "20_per_class/try0/k20",
            "20_per_class/try1/k10", "20_per_class/try1/k20", "20_per_class/try2/k10", "20_per_class/try2/k20"], first.Results.Select(r => r.Key));
        Assert.Equal(first.Results.Select(r => r.Top1), second.Results.Select(r => r.Top1));
        Assert.Equal(["5 per class k=5", "20 per class k=10", "20 per class k=20"], first.Averages.Select(a => a.Key));
        var k10 = first.Results.Where(r => r.NPerClass == "20 per class" && r.K == 10).ToArray();
        Assert.Equal(k10.Average(r => r.Top1), first.Averages[1].Top1, 12);
        Assert.Equal(k10.Average(r => r.Top5!.Value), first.Averages[1].Top5!.Value, 12);
    }

    [Fact]
    public void Top5_is_absent_with_fewer_than_five_classes()
    {
        using var scope = NewDisposeScope();
        var train = tensor(new float[] { 1, 0, 0, 1, -1, 0, 0, -1 }, [4, 2]);
        using var result = new KnnEvaluation([2]).Evaluate(train, tensor(new long[] { 0, 1, 2, 3 }), train, tensor(new long[] { 0, 1, 2, 3 }));

        Assert.Equal(1.0, result.Results[0].Top1);
        Assert.Null(result.Results[0].Top5);
        Assert.Null(result.Averages[0].Top5);
    }
}
