using EmbeddingService.Training.Evaluation;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Tests.Evaluation;

public sealed class FewShotSubsetsTests
{
    [Theory]
    [InlineData(5, new[] { 5 })]
    [InlineData(20, new[] { 10, 20 })]
    [InlineData(150, new[] { 10, 20, 100, 150 })]
    [InlineData(200, new[] { 10, 20, 100, 200 })]
    public void K_list_is_nb_knn_and_npc_up_to_npc(int nPerClass, int[] expected) =>
        Assert.Equal(expected, FewShotSubsets.KList([10, 20, 100, 200], nPerClass));

    [Fact]
    public void Draw_keeps_npc_rows_of_each_class_in_label_order_and_is_seeded()
    {
        using var scope = NewDisposeScope();
        var labels = tensor(new long[] { 2, 0, 1, 2, 0, 0, 1, 2, 2, 0, 1 });
        var rows = FewShotSubsets.Draw(labels, 3, new Random(4)).data<long>().ToArray();

        var drawnLabels = rows.Select(r => labels[r].item<long>()).ToArray();
        Assert.Equal(new long[] { 0, 0, 0, 1, 1, 1, 2, 2, 2 }, drawnLabels);
        Assert.Equal(rows.Length, rows.Distinct().Count());
        Assert.Equal(rows, FewShotSubsets.Draw(labels, 3, new Random(4)).data<long>().ToArray());
        Assert.Equal(4, FewShotSubsets.Draw(labels, 5, new Random(4)).data<long>().ToArray().Count(r => labels[r].item<long>() == 0));
    }

    [Fact]
    public void The_recorded_official_subsets_have_the_same_layout()
    {
        using var scope = NewDisposeScope();
        var fixture = new KnnFixture("per_class");
        var labels = fixture.File("train_labels");
        var official = KnnFixture.Npy(fixture.Case.GetProperty("subset_indices").GetProperty("20 per class/try0").GetString()!);
        var ours = FewShotSubsets.Draw(labels, 20, new Random(0));

        Assert.Equal(labels.index_select(0, official).data<long>().ToArray(), labels.index_select(0, ours).data<long>().ToArray());
    }
}
