using TorchSharp;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// Scalars the forward hands to libtorch, made once for the process. A Scalar made by implicit conversion at a call
/// (<c>x.add(y)</c> passes its alpha of 1 that way) is a native object that the GC may finalize while the native call
/// still reads it, which shows up under load as rare "toFloat" failures (Scalar.h) in an add: seen in the residual
/// adds and in the position-embedding add of a packed batch.
/// </summary>
internal static class Scalars
{
    public static readonly Scalar One = 1.0f.ToScalar();
}
