using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// The images of a packed forward grouped by size, groups ordered by token count (then height, width) so that equal
/// sequence lengths are contiguous for attention. Each group lists its members' input indices.
/// </summary>
public static class SizeGroups
{
    public static IReadOnlyList<int[]> Of(IReadOnlyList<Tensor> images, int patchSize) =>
        Enumerable.Range(0, images.Count)
            .OrderBy(i => images[i].shape[1] / patchSize * (images[i].shape[2] / patchSize))
            .ThenBy(i => images[i].shape[1])
            .ThenBy(i => images[i].shape[2])
            .GroupAdjacentBy(i => (images[i].shape[1], images[i].shape[2]))
            .Select(run => run.ToArray())
            .ToList();
}
