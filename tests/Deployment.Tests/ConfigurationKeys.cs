using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using EmbeddingService.Api.Collections;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Observability;
using EmbeddingService.Api.Security;
using EmbeddingService.Api.Training;
using Microsoft.Extensions.Configuration;

namespace EmbeddingService.Deployment.Tests;

/// <summary>
/// Environment variables as .NET configuration reads them: <c>Section__Key[__index]</c> is <c>Section:Key[:index]</c>,
/// matched case-insensitively against the options class bound to the section.
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>Options classes by their section name, taken from each class's <c>Section</c> constant.</summary>
    public static IReadOnlyDictionary<string, Type> Sections { get; } =
        new[] { typeof(ModelOptions), typeof(ServingOptions), typeof(AuthOptions), typeof(TelemetryOptions), typeof(RetrievalOptions), typeof(TrainingOptions) }
            .ToDictionary(t => (string)t.GetField("Section", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!, StringComparer.OrdinalIgnoreCase);

    /// <summary>Sections owned by the framework, not by an options class of the service.</summary>
    private static readonly HashSet<string> FrameworkSections = new(StringComparer.OrdinalIgnoreCase) { "Logging" };

    /// <summary>Process-level variables read by the runtimes rather than by configuration binding.</summary>
    private static readonly HashSet<string> RuntimeVariables = new(StringComparer.Ordinal) { "OMP_NUM_THREADS", "MKL_NUM_THREADS" };
    private static readonly string[] RuntimePrefixes = ["DOTNET_", "ASPNETCORE_", "NVIDIA_"];

    /// <summary>Why <paramref name="key"/> does not name a bindable setting, or null when it does.</summary>
    public static string? Problem(string key)
    {
        if (RuntimeVariables.Contains(key) || RuntimePrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal))) return null;
        var segments = key.Split("__");
        if (segments.Length < 2 || segments.Any(s => s.Length == 0))
            return $"'{key}' is not Section__Key";
        if (FrameworkSections.Contains(segments[0])) return null;
        if (!Sections.TryGetValue(segments[0], out var type))
            return $"'{key}': no options class is bound to section '{segments[0]}' (known: {string.Join(", ", Sections.Keys)})";
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (ElementType(type) is { } element)
            {
                if (!int.TryParse(segment, out var index) || index < 0)
                    return $"'{key}': {type.Name} is a collection, '{segment}' is not an index";
                type = element;
                continue;
            }
            var property = type.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
                return $"'{key}': {type.Name} has no property '{segment}' (has: {string.Join(", ", type.GetProperties().Select(p => p.Name))})";
            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }
        if (ElementType(type) is not null)
            return $"'{key}' names a collection ({type.Name}); set its items with __0, __1, ...";
        if (!TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)))
            return $"'{key}' names {type.Name}, which is not a single value";
        return null;
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string)) return null;
        if (type.IsArray) return type.GetElementType();
        return type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[^1] : null;
    }

    /// <summary>
    /// Binds <paramref name="environment"/> the way the host does (env var provider: "__" is ":") to every options
    /// class, rejecting keys the binder would ignore, and validates the data annotations.
    /// </summary>
    public static IReadOnlyDictionary<Type, object> BindAndValidate(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment
                .Where(kv => kv.Key.Contains("__", StringComparison.Ordinal))
                .Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), (string?)kv.Value)))
            .Build();
        var bound = new Dictionary<Type, object>();
        foreach (var (section, type) in Sections)
        {
            var options = Activator.CreateInstance(type)!;
            configuration.GetSection(section).Bind(options, o => o.ErrorOnUnknownConfiguration = true);
            var results = new List<ValidationResult>();
            Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true),
                $"{type.Name} from the manifests fails validation: {string.Join("; ", results.Select(r => r.ErrorMessage))}");
            bound[type] = options;
        }
        return bound;
    }
}
