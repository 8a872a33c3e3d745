using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace EmbeddingService.Api.Hosting.OpenApi;

/// <summary>Short constructors for the JSON schemas written by hand (the request bodies, which the handlers read themselves).</summary>
public static class Schemas
{
    public static OpenApiSchema String(string description) => new() { Type = JsonSchemaType.String, Description = description };

    public static OpenApiSchema Integer(string description, int? minimum = null, int? maximum = null, int? @default = null) => new()
    {
        Type = JsonSchemaType.Integer,
        Description = description,
        Minimum = minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Default = @default is { } d ? JsonValue.Create(d) : null,
    };

    public static OpenApiSchema Number(string description) => new() { Type = JsonSchemaType.Number, Description = description };

    public static OpenApiSchema Boolean(string description, bool @default) => new() { Type = JsonSchemaType.Boolean, Description = description, Default = JsonValue.Create(@default) };

    public static OpenApiSchema Enum(string description, IEnumerable<string> values, string? @default = null) => new()
    {
        Type = JsonSchemaType.String,
        Description = description,
        Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
        Default = @default is null ? null : JsonValue.Create(@default),
    };

    /// <summary>Bytes as base64 text in JSON.</summary>
    public static OpenApiSchema Base64(string description) => new() { Type = JsonSchemaType.String, Format = "byte", Description = description };

    /// <summary>Bytes sent as they are: a raw body or a multipart file part.</summary>
    public static OpenApiSchema Binary(string description) => new() { Type = JsonSchemaType.String, Format = "binary", Description = description };

    public static OpenApiSchema Array(IOpenApiSchema items, string description) => new() { Type = JsonSchemaType.Array, Items = items, Description = description };

    /// <summary>An object with these members and no others (the handlers refuse unknown members, naming them).</summary>
    public static OpenApiSchema Object(string description, Dictionary<string, IOpenApiSchema> properties, params string[] required) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = properties,
        Required = required.Length == 0 ? null : new HashSet<string>(required),
        AdditionalPropertiesAllowed = false,
    };

    /// <summary>Any JSON object (payloads).</summary>
    public static OpenApiSchema AnyObject(string description) => new() { Type = JsonSchemaType.Object, Description = description };

    /// <summary>Registers <paramref name="schema"/> once under <paramref name="name"/> in the document's components and refers to it.</summary>
    public static OpenApiSchemaReference Component(OpenApiDocument document, string name, OpenApiSchema schema)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas.TryAdd(name, schema);
        return new OpenApiSchemaReference(name, document);
    }
}
