using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Api.Hosting;

/// <summary>
/// A start that fails because of a setting rather than a bug: a value validation refuses, a port another process
/// listens on, an embedded store directory another instance holds. The process reports it as one line naming the
/// setting and exits with 1, as for a bad value; the host's own report of it (with a stack trace) is left out of the log.
/// </summary>
public static class StartupRefusal
{
    /// <summary>The line that names the setting, or null when <paramref name="exception"/> is not a refusal.</summary>
    public static string? Describe(Exception exception, IServiceProvider services) => exception switch
    {
        OptionsValidationException invalid => invalid.Message,
        IOException { InnerException: AddressInUseException } bind => services.GetRequiredService<ServingEndpoints>().PortInUse(bind),
        _ => null,
    };
}
