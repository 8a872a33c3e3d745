using EmbeddingService.Engine.Text;
using System.ComponentModel;
using System.Globalization;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// Lets the configuration binder read an enum setting by its kebab-case name (Serving:Policy=keep-aspect) and refuse
/// anything else, numbers included; the binder reports the refusal with the key.
/// </summary>
public sealed class KebabCaseEnumConverter<TEnum> : TypeConverter where TEnum : struct, Enum
{
    /// <summary>Makes the binder use this converter for <typeparamref name="TEnum"/>; call once per process.</summary>
    public static void Register() => TypeDescriptor.AddAttributes(typeof(TEnum), new TypeConverterAttribute(typeof(KebabCaseEnumConverter<TEnum>)));

    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string name && KebabCaseNames<TEnum>.TryParse(name, out var parsed)
            ? parsed
            : throw new FormatException($"'{value}' is not {KebabCaseNames<TEnum>.Expected}");
}
