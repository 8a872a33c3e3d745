using k8s;
using k8s.Models;

namespace EmbeddingService.Deployment.Tests;

/// <summary>The Kubernetes manifests of k8s/, copied next to the test assembly, parsed with the client's typed models.</summary>
public static class Manifests
{
    public const string KustomizationFile = "kustomization.yaml";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "k8s");

    /// <summary>Manifest files (everything but the kustomization), by file name.</summary>
    public static IReadOnlyList<string> Files { get; } = System.IO.Directory.GetFiles(Directory, "*.yaml")
        .Select(Path.GetFileName)
        .Where(name => name != KustomizationFile)
        .Order(StringComparer.Ordinal)
        .ToList()!;

    /// <summary>Every document of every file, strictly parsed (an unknown field is an error, as kubectl's validation would say).</summary>
    public static IReadOnlyList<(string File, IKubernetesObject Object)> All { get; } = Files
        .SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Directory, file)), typeMap: null, strict: true)
            .Select(o => (file, (IKubernetesObject)o)))
        .ToList();

    public static IEnumerable<T> OfType<T>() => All.Select(x => x.Object).OfType<T>();

    public static T Single<T>() => Assert.Single(OfType<T>());

    public static V1Deployment Api => Assert.Single(OfType<V1Deployment>(), d => d.Metadata.Name == "embedding-api");

    public static V1Container ApiContainer => Assert.Single(Api.Spec.Template.Spec.Containers);

    public static V1Service ApiService => ServiceNamed("embedding-api");

    public static V1StatefulSet Qdrant => Assert.Single(OfType<V1StatefulSet>(), s => s.Metadata.Name == "qdrant");

    public static V1Container QdrantContainer => Assert.Single(Qdrant.Spec.Template.Spec.Containers);

    public static V1StatefulSet Trainer => Assert.Single(OfType<V1StatefulSet>(), s => s.Metadata.Name == "embedding-trainer");

    public static V1Container TrainerContainer => Assert.Single(Trainer.Spec.Template.Spec.Containers);

    /// <summary>Environment of the trainer container from its envFrom ConfigMaps, then env.</summary>
    public static IReadOnlyDictionary<string, string> TrainerEnvironment => EnvironmentOf(TrainerContainer);

    public static V1Service ServiceNamed(string name) => Assert.Single(OfType<V1Service>(), s => s.Metadata.Name == name);

    /// <summary>Environment of the API container from its envFrom sources (ConfigMaps, then Secrets), then env.</summary>
    public static IReadOnlyDictionary<string, string> ApiEnvironment => EnvironmentOf(ApiContainer);

    private static Dictionary<string, string> EnvironmentOf(V1Container container)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } cm)
                foreach (var (k, v) in ConfigMapNamed(cm.Name).Data ?? new Dictionary<string, string>()) env[k] = v;
            if (source.SecretRef is { } s)
                foreach (var (k, v) in SecretData(SecretNamed(s.Name))) env[k] = v;
        }
        foreach (var e in container.Env ?? []) env[e.Name] = e.Value ?? "";
        return env;
    }

    public static V1ConfigMap ConfigMapNamed(string name) => Assert.Single(OfType<V1ConfigMap>(), c => c.Metadata.Name == name);

    public static V1Secret SecretNamed(string name) => Assert.Single(OfType<V1Secret>(), s => s.Metadata.Name == name);

    public static IReadOnlyDictionary<string, string> SecretData(V1Secret secret)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in secret.Data ?? new Dictionary<string, byte[]>()) data[k] = System.Text.Encoding.UTF8.GetString(v);
        foreach (var (k, v) in secret.StringData ?? new Dictionary<string, string>()) data[k] = v;
        return data;
    }

    /// <summary>The container port a Service targetPort or probe port names (by name or number).</summary>
    public static int ResolvePort(V1Container container, IntOrString port)
    {
        var value = port.Value;
        if (int.TryParse(value, out var number)) return number;
        var named = Assert.Single(container.Ports, p => p.Name == value);
        return named.ContainerPort;
    }

    /// <summary>The resources: list of kustomization.yaml (a plain YAML list; no kustomize model in the client).</summary>
    public static IReadOnlyList<string> KustomizationResources()
    {
        var lines = File.ReadAllLines(Path.Combine(Directory, KustomizationFile));
        var resources = new List<string>();
        var inResources = false;
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            if (line.Length == 0 || line.TrimStart().StartsWith('#')) continue;
            if (!char.IsWhiteSpace(line[0]) && !line.StartsWith('-')) { inResources = line == "resources:"; continue; }
            if (inResources && line.TrimStart().StartsWith("- ", StringComparison.Ordinal)) resources.Add(line.TrimStart()[2..].Trim());
        }
        return resources;
    }

    /// <summary>A Service or StatefulSet selector (non-empty) that every given label satisfies.</summary>
    public static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        selector is { Count: > 0 } && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>Non-root, no privilege escalation, every capability dropped, and the image's USER as the UID.</summary>
    public static void AssertRunsAsImageUser(V1PodSpec pod, V1Container container)
    {
        var security = container.SecurityContext;
        Assert.True((security?.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot) == true, "runAsNonRoot must be set");
        var user = security?.RunAsUser ?? pod.SecurityContext?.RunAsUser;
        Assert.True(user is null or > 0, $"runAsUser {user} is root");
        Assert.False(security?.Privileged ?? false);
        Assert.False(security?.AllowPrivilegeEscalation ?? true, "allowPrivilegeEscalation must be false");
        Assert.Contains("ALL", security?.Capabilities?.Drop ?? []);
        // The image's USER and the pod's UID agree, so files the image owns for its user stay accessible.
        Assert.Equal(DockerfileTests.RuntimeUser(), user?.ToString());
    }
}
