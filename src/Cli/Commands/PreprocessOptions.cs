using System.CommandLine;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Text;

namespace EmbeddingService.Cli.Commands;

/// <summary>The options of commands that read image files: resize policy, sizes and decoder limits.</summary>
public sealed class PreprocessOptions
{
    private readonly Option<string> _policy = new("--policy")
    {
        Description = "center-crop (the paper's evaluation transform) or keep-aspect (sides multiples of 14)",
        DefaultValueFactory = _ => "center-crop",
    };
    private readonly Option<int> _size = new("--size")
    {
        Description = "center-crop: crop size; keep-aspect: shorter side (alias --resolution, as the service's Serving:Resolution)",
        DefaultValueFactory = _ => 224,
    };
    private readonly Option<int?> _secondary = new("--resize")
    {
        Description = "center-crop: shorter side before cropping (default size·256/224); keep-aspect: longest allowed side (default 2·size)",
    };
    private readonly Option<long> _maxPixels = new("--max-pixels")
    {
        Description = "Reject images with more pixels than this, from the header",
        DefaultValueFactory = _ => new ImageLimits().MaxPixels,
    };

    public PreprocessOptions AddTo(Command command)
    {
        command.Options.Add(_policy);
        command.Options.Add(_size);
        command.Options.Add(_secondary);
        command.Options.Add(_maxPixels);
        return this;
    }

    public PreprocessOptions()
    {
        _size.Aliases.Add("--resolution");
    }

    /// <summary>The preprocessor; throws <see cref="ArgumentException"/> for bad values.</summary>
    public ImagePreprocessor Create(ParseResult result, int patchSize = 14) => new(Policy(result, patchSize), new ImageDecoder(Limits(result)));

    /// <summary>The resize policy; throws <see cref="ArgumentException"/> for bad values.</summary>
    public IResizePolicy Policy(ParseResult result, int patchSize = 14) =>
        ResizePolicies.Create(PolicyKind(result.GetValue(_policy)!), result.GetValue(_size), result.GetValue(_secondary), patchSize);

    public ImageLimits Limits(ParseResult result) => new() { MaxPixels = result.GetValue(_maxPixels) };

    /// <summary>"center-crop 224" or "keep-aspect 224": what the images were resized to, for reports.</summary>
    public string Describe(ParseResult result) => $"{result.GetValue(_policy)} {result.GetValue(_size)}";

    private static ResizePolicy PolicyKind(string name) => KebabCaseNames<ResizePolicy>.TryParse(name.Trim(), out var policy)
        ? policy
        : throw new ArgumentException($"unknown resize policy '{name}'; expected {KebabCaseNames<ResizePolicy>.Expected}");
}
