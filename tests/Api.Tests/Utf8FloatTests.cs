using System.Globalization;
using System.Text;
using EmbeddingService.Api.Collections;

namespace EmbeddingService.Api.Tests;

public sealed class Utf8FloatTests
{
    private static void AssertParsesLikeFloatParse(string text)
    {
        Assert.True(Utf8Float.TryParse(Encoding.UTF8.GetBytes(text), out var parsed), text);
        var expected = float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.True(BitConverter.SingleToUInt32Bits(expected) == BitConverter.SingleToUInt32Bits(parsed), $"{text}: {parsed:R} instead of {expected:R}");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("1")]
    [InlineData("0.1")]
    [InlineData("-0.051020407")]
    [InlineData("1e22")]
    [InlineData("1E-22")]
    [InlineData("2.5e+3")]
    [InlineData("16777217")] // exactly halfway between two floats: ties to even
    [InlineData("16777219")]
    [InlineData("0.30000001192092896")] // 17 digits, as Python writes doubles
    [InlineData("123456789012345678901234")]
    [InlineData("3.4028235e38")]
    [InlineData("1e-45")]
    [InlineData("7e-46")]
    [InlineData("1.17549435e-38")]
    public void EdgeCasesParseToTheNearestFloat(string text) => AssertParsesLikeFloatParse(text);

    [Fact]
    public void RandomVectorComponentsParseExactlyInEveryCommonNotation()
    {
        var random = new Random(5);
        for (var i = 0; i < 200_000; i++)
        {
            var value = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-12, 12)));
            AssertParsesLikeFloatParse(value.ToString("R", CultureInfo.InvariantCulture));
            AssertParsesLikeFloatParse(value.ToString("E6", CultureInfo.InvariantCulture));
            AssertParsesLikeFloatParse(((double)value).ToString("R", CultureInfo.InvariantCulture));
            AssertParsesLikeFloatParse((random.NextDouble() - 0.5).ToString("F9", CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("abc")]
    public void NonNumbersAreRefused(string text) => Assert.False(Utf8Float.TryParse(Encoding.UTF8.GetBytes(text), out _));
}
