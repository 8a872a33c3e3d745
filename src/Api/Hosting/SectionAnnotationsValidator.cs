using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// Data-annotation validation whose failures name the configuration key ("Serving:MaxBatchImages: ..."),
/// so that an operator can tell which setting stopped start-up.
/// </summary>
public sealed class SectionAnnotationsValidator<TOptions>(string section) : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            return ValidateOptionsResult.Success;
        return ValidateOptionsResult.Fail(results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
    }
}
