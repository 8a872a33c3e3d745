using TorchSharp;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Model;

/// <summary>
/// Tensor arithmetic with a number (or with an alpha of 1) whose Scalar stays alive until the native call returns.
/// TorchSharp 0.107 turns a number argument (and the implicit alpha of <c>x.add(y)</c>) into a temporary Scalar that
/// nothing references during the call, so the GC may finalize it, freeing the native scalar mid-call: rare
/// "toFloat" failures, or silently wrong numbers. Long overloads keep integer tensors integer. Every add passes its
/// alpha too (TorchSharp's one-argument adds make a temporary one); tensor minus tensor needs nothing, as TorchSharp's
/// <c>sub</c> passes no alpha.
/// </summary>
public static class ScalarArithmetic
{
    public static Tensor Times(this Tensor x, double factor)
    {
        using var scalar = factor.ToScalar();
        return x.mul(scalar);
    }

    public static Tensor Times(this Tensor x, long factor)
    {
        using var scalar = factor.ToScalar();
        return x.mul(scalar);
    }

    public static Tensor TimesInPlace(this Tensor x, double factor)
    {
        using var scalar = factor.ToScalar();
        return x.mul_(scalar);
    }

    public static Tensor DividedBy(this Tensor x, double divisor)
    {
        using var scalar = divisor.ToScalar();
        return x.div(scalar);
    }

    public static Tensor Plus(this Tensor x, long term)
    {
        using var scalar = term.ToScalar();
        return x.add(scalar, AlphaOne(x));
    }

    public static Tensor Plus(this Tensor x, Tensor y) => x.add(y, AlphaOne(x));

    public static Tensor PlusInPlace(this Tensor x, Tensor y) => x.add_(y, AlphaOne(x));

    private static Scalar AlphaOne(Tensor x) => x.dtype is ScalarType.Bool or ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64
        ? Scalars.IntegerOne
        : Scalars.One;

    public static Tensor ClampedBelow(this Tensor x, double min)
    {
        using var scalar = min.ToScalar();
        return x.clamp_min(scalar);
    }

    public static Tensor ClampedBelow(this Tensor x, long min)
    {
        using var scalar = min.ToScalar();
        return x.clamp_min(scalar);
    }

    public static Tensor LessThan(this Tensor x, double bound)
    {
        using var scalar = bound.ToScalar();
        return x.lt(scalar);
    }

    /// <summary>A tensor filled with a value.</summary>
    public static Tensor Full(long[] shape, double value, ScalarType dtype)
    {
        using var scalar = value.ToScalar();
        return full(shape, scalar, dtype);
    }
}
