using EmbeddingService.Training.Tests.Data;

namespace EmbeddingService.Trainer.Tests;

/// <summary>A data root holding a labelled set at eval/train and eval/val: two classes of six patterned images for training, two each for validation.</summary>
internal static class LabelledImages
{
    public const string Train = "eval/train";
    public const string Val = "eval/val";

    public static ImageFolder Create()
    {
        var folder = new ImageFolder();
        for (var i = 0; i < 6; i++)
        {
            folder.Pattern($"{Train}/a/{i}.png", i);
            folder.Pattern($"{Train}/b/{i}.png", 100 + i, width: 40);
        }
        for (var i = 0; i < 2; i++)
        {
            folder.Pattern($"{Val}/a/{i}.png", 50 + i);
            folder.Pattern($"{Val}/b/{i}.png", 150 + i, width: 40);
        }
        return folder;
    }
}
