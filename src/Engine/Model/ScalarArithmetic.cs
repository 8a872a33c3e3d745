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
    public static Tensor Times(this Tensor x, double factor) => With(factor, scalar => x.mul(scalar));

    public static Tensor Times(this Tensor x, long factor) => With(factor, scalar => x.mul(scalar));

    public static Tensor TimesInPlace(this Tensor x, double factor) => With(factor, scalar => x.mul_(scalar));

    public static Tensor DividedBy(this Tensor x, double divisor) => With(divisor, scalar => x.div(scalar));

    public static Tensor Plus(this Tensor x, long term) => With(term, scalar => x.add(scalar, AlphaOne(x)));

    public static Tensor Plus(this Tensor x, Tensor y) => x.add(y, AlphaOne(x));

    public static Tensor PlusInPlace(this Tensor x, Tensor y) => x.add_(y, AlphaOne(x));

    public static Tensor ClampedBelow(this Tensor x, double min) => With(min, scalar => x.clamp_min(scalar));

    public static Tensor ClampedBelow(this Tensor x, long min) => With(min, scalar => x.clamp_min(scalar));

    public static Tensor LessThan(this Tensor x, double bound) => With(bound, scalar => x.lt(scalar));

    /// <summary>A tensor filled with a value.</summary>
    public static Tensor Full(long[] shape, double value, ScalarType dtype) => With(value, scalar => full(shape, scalar, dtype));

    private static Tensor With(double value, Func<Scalar, Tensor> operation)
    {
        using var scalar = value.ToScalar();
        return operation(scalar);
    }

    private static Tensor With(long value, Func<Scalar, Tensor> operation)
    {
        using var scalar = value.ToScalar();
        return operation(scalar);
    }

    private static Scalar AlphaOne(Tensor x) => x.dtype is ScalarType.Bool or ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64
        ? Scalars.IntegerOne
        : Scalars.One;
}
