using EmbeddingService.Engine.Inference;
using EmbeddingService.Training.Runs.Spec;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Runs;

/// <summary>The device a spec names, resolved on this machine; one it lacks is a problem of the spec at that field.</summary>
public static class RunDevice
{
    public static Device Resolve(string device, string field)
    {
        try
        {
            return ComputeTarget.Resolve(device, "fp32").Device;
        }
        catch (ArgumentException e)
        {
            throw new RunSpecException([$"{field}: {e.Message}"]);
        }
    }
}
