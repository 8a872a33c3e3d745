using System.Net;
using Microsoft.Extensions.Options;

namespace EmbeddingService.Trainer.Hosting;

/// <summary>
/// Binds and checks section "Trainer" before anything starts: a bad value is an <see cref="OptionsValidationException"/>
/// whose message names the key (Trainer:GrpcPort: ...), for a one-line exit instead of a stack trace.
/// </summary>
public static class TrainerOptionsReader
{
    public static TrainerOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(TrainerOptions.Section);
        var options = new TrainerOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException or ArgumentException or OverflowException)
        {
            throw Invalid([$"{e.Message} {e.InnerException.Message}"]);
        }
        var problems = Problems(options);
        return problems.Count == 0 ? options : throw Invalid(problems);
    }

    public static OptionsValidationException Invalid(IEnumerable<string> problems) =>
        new(TrainerOptions.Section, typeof(TrainerOptions), problems);

    private static List<string> Problems(TrainerOptions options)
    {
        var problems = new List<string>();
        Port(nameof(TrainerOptions.GrpcPort), options.GrpcPort, problems);
        Port(nameof(TrainerOptions.HttpPort), options.HttpPort, problems);
        if (options.GrpcPort != 0 && options.GrpcPort == options.HttpPort)
            problems.Add($"{Key(nameof(TrainerOptions.HttpPort))}: must differ from {Key(nameof(TrainerOptions.GrpcPort))} (both {options.GrpcPort})");
        if (!IPAddress.TryParse(options.BindAddress, out _))
            problems.Add($"{Key(nameof(TrainerOptions.BindAddress))}: must be an IP address (0.0.0.0, 127.0.0.1, ::), not '{options.BindAddress}'");
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
            problems.Add($"{Key(nameof(TrainerOptions.DataDirectory))}: is required (the folder of the job store and the jobs' runs)");
        if (options.ShutdownTimeoutSeconds is < 1 or > 86_400)
            problems.Add($"{Key(nameof(TrainerOptions.ShutdownTimeoutSeconds))}: must be 1-86400, not {options.ShutdownTimeoutSeconds}");
        return problems;
    }

    private static void Port(string name, int port, List<string> problems)
    {
        if (port is < 0 or > 65535) problems.Add($"{Key(name)}: must be 0-65535 (0: any free port), not {port}");
    }

    public static string Key(string name) => $"{TrainerOptions.Section}:{name}";
}
