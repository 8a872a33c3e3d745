using System.Text.RegularExpressions;
using EmbeddingService.Api.Hosting;

namespace EmbeddingService.Deployment.Tests;

/// <summary>The Dockerfile, .dockerignore and build script, read as text (no Docker engine needed).</summary>
public sealed class DockerfileTests
{
    private static string DockerDirectory => Path.Combine(AppContext.BaseDirectory, "docker");

    public sealed record Instruction(string Keyword, string Arguments);

    public sealed record Stage(string Base, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);
    }

    /// <summary>Instructions before the first FROM (global ARGs) and the stages, continuation lines joined, comments dropped.</summary>
    public static (IReadOnlyList<Instruction> Global, IReadOnlyList<Stage> Stages) Parse()
    {
        var instructions = new List<Instruction>();
        var current = "";
        foreach (var raw in File.ReadAllLines(Path.Combine(DockerDirectory, "Dockerfile")))
        {
            var line = raw.Trim();
            if (line.StartsWith('#')) continue;
            if (line.EndsWith('\\')) { current += line[..^1] + " "; continue; }
            current += line;
            if (current.Trim().Length > 0)
            {
                var text = Regex.Replace(current.Trim(), @"\s+", " ");
                var space = text.IndexOf(' ');
                instructions.Add(new Instruction(text[..space].ToUpperInvariant(), text[(space + 1)..]));
            }
            current = "";
        }
        var global = instructions.TakeWhile(i => i.Keyword != "FROM").ToList();
        var stages = new List<Stage>();
        foreach (var instruction in instructions.Skip(global.Count))
        {
            if (instruction.Keyword == "FROM")
            {
                var m = Regex.Match(instruction.Arguments, @"^(?:--platform=\S+ )?(?<base>\S+)(?: AS (?<name>\S+))?$", RegexOptions.IgnoreCase);
                Assert.True(m.Success, $"cannot read FROM {instruction.Arguments}");
                stages.Add(new Stage(m.Groups["base"].Value, m.Groups["name"].Success ? m.Groups["name"].Value : null, new List<Instruction>()));
            }
            else ((List<Instruction>)stages[^1].Instructions).Add(instruction);
        }
        return (global, stages);
    }

    /// <summary>The final stage's USER, without the group (the UID the pod must run as).</summary>
    public static string RuntimeUser() => Assert.Single(Parse().Stages[^1].All("USER")).Split(':')[0];

    private static Stage Named(string name) => Assert.Single(Parse().Stages, s => s.Name == name);

    [Fact]
    public void TheBuildStageRunsTheReleaseScriptOnTheSdkImage()
    {
        var build = Named("build");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", build.Base);
        Assert.Contains("TORCH_BACKEND", build.All("ARG"));
        Assert.Contains(build.All("RUN"), run => run.Contains("scripts/build-release.sh", StringComparison.Ordinal) && run.Contains("TORCH_BACKEND", StringComparison.Ordinal));
        Assert.Contains(Parse().Global, i => i.Keyword == "ARG" && i.Arguments == "TORCH_BACKEND=cpu");
    }

    [Fact]
    public void TheRuntimeBaseIsChosenByTheBackend()
    {
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", Named("runtime-cpu").Base);
        Assert.Contains("cuda", Named("runtime-cuda").Base + string.Join(" ", Parse().Global.Select(i => i.Arguments)), StringComparison.OrdinalIgnoreCase);
        var final = Parse().Stages[^1];
        Assert.Equal("runtime-${TORCH_BACKEND}", final.Base);
        Assert.Contains(final.All("COPY"), copy => copy.StartsWith("--from=build ", StringComparison.Ordinal));
    }

    [Fact]
    public void TheRuntimeStageIsNonRootExposesBothPortsAndChecksLiveness()
    {
        var final = Parse().Stages[^1];
        var user = RuntimeUser();
        Assert.DoesNotContain(user, new[] { "root", "0" });
        Assert.Matches("^[0-9]+$", user); // numeric: Kubernetes can verify runAsNonRoot against it
        var exposed = final.All("EXPOSE").SelectMany(e => e.Split(' ')).Select(p => int.Parse(p.Split('/')[0])).ToList();
        var defaults = new ServingOptions();
        Assert.Contains(defaults.RestPort, exposed);
        Assert.Contains(defaults.GrpcPort, exposed);
        var healthcheck = Assert.Single(final.All("HEALTHCHECK"));
        Assert.Contains(" CMD ", " " + healthcheck + " ");
        Assert.Contains("/health/live", healthcheck);
        var entrypoint = Assert.Single(final.All("ENTRYPOINT"));
        Assert.Contains($"\"{typeof(ServingOptions).Assembly.GetName().Name}.dll\"", entrypoint);
        Assert.StartsWith("[\"dotnet\"", entrypoint);
    }

    [Fact]
    public void ImageEnvironmentDefaultsNameRealOptionsAndMatchTheCode()
    {
        var env = Parse().Stages.SelectMany(s => s.All("ENV"))
            .SelectMany(e => Regex.Matches(e, @"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>""[^""]*""|\S*)").Select(m => (m.Groups["key"].Value, m.Groups["value"].Value.Trim('"'))))
            .ToList();
        Assert.NotEmpty(env);
        Assert.All(env, kv => Assert.Null(ConfigurationKeys.Problem(kv.Item1)));
        var defaults = new ServingOptions();
        var values = env.GroupBy(kv => kv.Item1).ToDictionary(g => g.Key, g => g.Last().Item2);
        Assert.Equal(defaults.RestPort.ToString(), values["Serving__RestPort"]);
        Assert.Equal(defaults.GrpcPort.ToString(), values["Serving__GrpcPort"]);
    }

    [Fact]
    public void TheVectorStoreDirectoryIsAVolumeTheServiceUserOwns()
    {
        var final = Parse().Stages[^1];
        var directory = final.All("ENV").Select(e => Regex.Match(e, @"Retrieval__DataDirectory=(\S+)")).Single(m => m.Success).Groups[1].Value;
        var user = Assert.Single(final.All("USER")).Split(':')[0];
        Assert.Contains(final.All("RUN"), r => r.Contains($"mkdir -p {directory}") && r.Contains($"chown {user}:"));
        Assert.Contains(final.All("VOLUME"), v => v.Trim() == directory);
        var instructions = final.Instructions.Select(i => i.Keyword).ToList();
        Assert.True(instructions.IndexOf("RUN") < instructions.IndexOf("USER"), "the directory is made before the image switches to the service user");
    }

    [Theory]
    [InlineData("src/Api/Api.csproj", false)]
    [InlineData("src/Engine/Engine.csproj", false)]
    [InlineData("build/TorchSharpNative.targets", false)]
    [InlineData("build/WeakenUnusedGlibcxxVersions.cs", false)]
    [InlineData("scripts/build-release.sh", false)]
    [InlineData("Directory.Build.props", false)]
    [InlineData("Directory.Build.targets", false)]
    [InlineData("Directory.Packages.props", false)]
    [InlineData("protos/embedding.proto", false)]
    [InlineData(".git", true)]
    [InlineData("src/Api/bin/Release/net10.0/linux-x64/EmbeddingService.Api.dll", true)]
    [InlineData("src/Engine/obj/project.assets.json", true)]
    [InlineData("artifacts/api/libtorch_cpu.so", true)]
    [InlineData("tests/fixtures/images/cat.jpg", true)]
    public void DockerIgnoreKeepsWhatTheBuildNeeds(string path, bool excluded)
    {
        var patterns = File.ReadAllLines(Path.Combine(DockerDirectory, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal(excluded, IsExcluded(patterns, path));
    }

    [Fact]
    public void TheLocalTrainerWorkerWritesOnlyToTheDataVolume()
    {
        var final = Parse().Stages[^1];
        var volume = Assert.Single(final.All("VOLUME")).Trim();
        var env = final.All("ENV").SelectMany(e => Regex.Matches(e, @"(?<key>Training__\w+)=(?<value>\S+)")).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
        // The root filesystem is the service user's to read only: the worker's store, the datasets and the model cache go on /data.
        foreach (var key in new[] { "Training__DataDirectory", "Training__DataRoot", "Training__ModelCacheDirectory" })
            Assert.StartsWith(volume.TrimEnd('/') + "/", env[key]);
    }

    public static string ReleaseScript() => File.ReadAllText(Path.Combine(DockerDirectory, "build-release.sh"));

    [Fact]
    public void TheReleaseScriptStopsOnErrors()
    {
        var script = ReleaseScript();
        Assert.StartsWith("#!/usr/bin/env bash\n", script);
        Assert.Contains("\nset -euo pipefail\n", script);
        Assert.Contains("dotnet publish src/Api -c Release", script);
        Assert.Contains("TORCH_BACKEND:-cpu", script);
        Assert.Contains("OUT:-artifacts/api", script);
    }

    /// <summary>Docker's rule: the last matching pattern wins; "!" re-includes; a matching directory excludes what is under it.</summary>
    private static bool IsExcluded(IReadOnlyList<string> patterns, string path)
    {
        var candidates = new List<string>();
        var parts = path.Split('/');
        for (var i = 1; i <= parts.Length; i++) candidates.Add(string.Join('/', parts[..i]));
        var excluded = false;
        foreach (var pattern in patterns)
        {
            var negate = pattern.StartsWith('!');
            var glob = (negate ? pattern[1..] : pattern).Trim('/');
            var regex = new Regex("^" + Regex.Escape(glob)
                .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
                .Replace(@"\*\*", ".*", StringComparison.Ordinal)
                .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
                .Replace(@"\?", "[^/]", StringComparison.Ordinal) + "$");
            if (candidates.Any(regex.IsMatch)) excluded = !negate;
        }
        return excluded;
    }
}
