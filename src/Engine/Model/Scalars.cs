using TorchSharp;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// Scalars the forward hands to libtorch, made once for the process. A Scalar made by implicit conversion at a call
/// (<c>x.add(y)</c> passes its alpha of 1 that way) is a native object that the GC may finalize while the native call
/// still reads it, which shows up under load as rare "toFloat" failures (Scalar.h) in an add: seen in the residual
/// adds and in the position-embedding add of a packed batch.
/// </summary>
public static class Scalars
{
    public static readonly Scalar One = 1.0f.ToScalar();

    /// <summary>The alpha of an add of integer tensors (libtorch refuses a floating-point one there).</summary>
    public static readonly Scalar IntegerOne = 1L.ToScalar();
}
