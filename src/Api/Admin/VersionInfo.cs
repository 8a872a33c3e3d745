using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using TorchSharp;

namespace EmbeddingService.Api.Admin;

/// <summary>Versions of the service, TorchSharp, the libtorch it binds and the .NET runtime.</summary>
public sealed record VersionInfo(
    string Service,
    [property: JsonPropertyName("torch_sharp")] string TorchSharp,
    string Libtorch,
    [property: JsonPropertyName("onnx_runtime")] string OnnxRuntime,
    string Dotnet)
{
    /// <summary>Read after the model has loaded, when libtorch is initialised.</summary>
    public static VersionInfo Current => new(
        InformationalVersion(typeof(VersionInfo).Assembly),
        InformationalVersion(typeof(torch).Assembly),
        torch.__version__,
        Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString(),
        RuntimeInformation.FrameworkDescription);

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
