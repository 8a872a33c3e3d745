using EmbeddingService.Engine.Model;
using EmbeddingService.Engine.Runtime;
using EmbeddingService.Training.Heads;
using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Train;

/// <summary>
/// One side of the meta-architecture (the official <c>student</c> / <c>teacher</c> ModuleDict): a backbone, the DINO head
/// and, when iBOT has its own head, the iBOT head, so that state dicts carry the official <c>backbone.*</c>,
/// <c>dino_head.*</c>, <c>ibot_head.*</c> names.
/// </summary>
public sealed class SslModel : nn.Module
{
#pragma warning disable IDE1006 // field names follow the official state dict
    private readonly DinoVisionTransformer backbone;
    private readonly DinoHead dino_head;
    private readonly DinoHead? ibot_head;
#pragma warning restore IDE1006

    /// <param name="headGenerator">The heads' initialisation source (null: the global generator). The backbone keeps
    /// TorchSharp's default init, to be replaced by a seeded initialiser or loaded weights.</param>
    public SslModel(VitConfig backboneConfig, HeadConfig dinoHead, HeadConfig? separateIbotHead, Generator? headGenerator = null) : base(nameof(SslModel))
    {
        BackboneConfig = backboneConfig;
        DinoHeadConfig = dinoHead;
        IbotHeadConfig = separateIbotHead ?? dinoHead;
        backbone = new DinoVisionTransformer(backboneConfig);
        dino_head = NewHead(backboneConfig.EmbedDim, dinoHead, headGenerator);
        ibot_head = separateIbotHead is null ? null : NewHead(backboneConfig.EmbedDim, separateIbotHead, headGenerator);
        RegisterComponents();
    }

    public DinoVisionTransformer Backbone => backbone;

    public VitConfig BackboneConfig { get; }

    public HeadConfig DinoHeadConfig { get; }

    /// <summary>The iBOT head's configuration: its own, or the DINO head's when shared.</summary>
    public HeadConfig IbotHeadConfig { get; }

    public DinoHead DinoHead => dino_head;

    /// <summary>The head iBOT's patch tokens go through: its own, or the DINO head when shared.</summary>
    public DinoHead IbotHead => ibot_head ?? dino_head;

    public bool HasSeparateIbotHead => ibot_head is not null;

    /// <summary>The submodules in the official order, each a unit of gradient clipping and of parameter grouping.</summary>
    public IReadOnlyList<(string Name, nn.Module Module)> Submodules =>
        ibot_head is null
            ? [("backbone", backbone), ("dino_head", dino_head)]
            : [("backbone", backbone), ("dino_head", dino_head), ("ibot_head", ibot_head)];

    /// <summary>The device its parameters live on.</summary>
    public Device Device => backbone.parameters().First().device;

    /// <summary>This model, its parameters and buffers moved to <paramref name="device"/> (nothing moves when they are there).</summary>
    public SslModel On(Device device)
    {
        if (!backbone.parameters().First().IsOn(device)) this.to(device);
        return this;
    }

    /// <summary>No gradients and eval mode: a teacher, or an EMA kept as a result.</summary>
    public void Freeze()
    {
        foreach (var parameter in parameters()) parameter.requires_grad = false;
        eval();
    }

    /// <summary>A new model of the same architecture (fresh parameters, on the CPU).</summary>
    public SslModel EmptyCopy() => new(BackboneConfig, DinoHeadConfig, HasSeparateIbotHead ? IbotHeadConfig : null);

    private static DinoHead NewHead(int inDim, HeadConfig head, Generator? generator) =>
        new(inDim, head.Prototypes, head.HiddenDim, head.BottleneckDim, head.Layers, generator: generator);
}
