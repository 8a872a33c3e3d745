using EmbeddingService.Training.Data;

namespace EmbeddingService.Training.Tests.Data;

public sealed class ImageFolderDatasetTests
{
    [Fact]
    public void Finds_images_recursively_in_ordinal_order_with_first_level_folders_as_classes()
    {
        using var folder = new ImageFolder();
        folder.Pattern("shirt/b.png", 1);
        folder.Pattern("shirt/deep/er/a.PNG", 2);
        folder.Pattern("bag/z.jpg", 3); // a PNG under a .jpg name: the decoder goes by content
        folder.Pattern("bag/Y.GIF", 4);
        folder.Text("bag/notes.txt");
        folder.Text("shirt/fake.png", "<html>");
        folder.Pattern(".cache/hidden.png", 5);

        var data = ImageFolderDataset.Scan(folder.Root);

        Assert.Equal(["bag/Y.GIF", "bag/z.jpg", "shirt/b.png", "shirt/deep/er/a.PNG"], data.Images.Select(i => i.RelativePath));
        Assert.Equal([0, 0, 1, 1], data.Images.Select(i => i.Label));
        Assert.Equal(["bag", "shirt"], data.ClassNames);
        Assert.True(data.IsLabelled);
        Assert.Equal(1, data.OtherFiles);
        Assert.Equal(1, data.UnrecognisedFiles);
        Assert.Equal(["shirt/fake.png"], data.UnrecognisedExamples);
        Assert.Equal(folder.Root, data.Root);
        Assert.True(File.Exists(data.PathOf(data.Images[3])));
    }

    [Fact]
    public void Images_directly_in_the_root_make_the_set_unlabelled_and_evaluation_says_why()
    {
        using var folder = new ImageFolder();
        folder.Pattern("a/1.png", 1);
        folder.Pattern("b/2.png", 2);
        folder.Pattern("stray.png", 3);

        var data = ImageFolderDataset.Scan(folder.Root);

        Assert.Equal(3, data.Images.Count);
        Assert.All(data.Images, i => Assert.Equal(-1, i.Label));
        Assert.Empty(data.ClassNames);
        Assert.Equal(1, data.RootImages);
        var e = Assert.Throws<DatasetException>(() => data.RequireLabels("--val"));
        Assert.Equal("dataset_unlabelled", e.Reason);
        Assert.Contains("1 of its 3 images", e.Message);
        Assert.Contains(folder.Root, e.Message);
    }

    [Fact]
    public void A_flat_folder_is_unlabelled()
    {
        using var folder = new ImageFolder();
        folder.Pattern("1.png", 1);
        folder.Pattern("2.png", 2);

        var data = ImageFolderDataset.Scan(folder.Root);

        Assert.False(data.IsLabelled);
        Assert.Contains("all 2 images lie directly in it", Assert.Throws<DatasetException>(() => data.RequireLabels("--train")).Message);
    }

    [Fact]
    public void A_missing_folder_or_a_file_is_dataset_missing()
    {
        using var folder = new ImageFolder();
        var missing = Path.Combine(folder.Root, "nope");
        var file = folder.Pattern("one.png", 1);

        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Scan(missing));
        Assert.Equal("dataset_missing", e.Reason);
        Assert.Contains(missing, e.Message);
        Assert.Equal("dataset_missing", Assert.Throws<DatasetException>(() => ImageFolderDataset.Scan(file)).Reason);
    }

    [Fact]
    public void A_folder_without_images_is_dataset_empty_with_what_was_found()
    {
        using var folder = new ImageFolder();
        folder.Text("a/readme.md");
        folder.Text("a/b.png", "not an image");
        folder.Write("c.jpg", []);

        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Scan(folder.Root));

        Assert.Equal("dataset_empty", e.Reason);
        Assert.Contains($"'{folder.Root}'", e.Message);
        Assert.Contains("2 file(s) have an image extension but are not", e.Message);
        Assert.Contains("a/b.png, c.jpg", e.Message);
        Assert.Contains("1 other file(s)", e.Message);
    }

    [Fact]
    public void A_folder_without_image_extensions_names_the_extensions()
    {
        using var folder = new ImageFolder();
        folder.Text("x.txt");

        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Scan(folder.Root));

        Assert.Equal("dataset_empty", e.Reason);
        Assert.Contains(".webp", e.Message);
        Assert.Contains("among 1 file(s)", e.Message);
    }
}
