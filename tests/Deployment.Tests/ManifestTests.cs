using System.Text.RegularExpressions;
using EmbeddingService.Api.Embedding;
using EmbeddingService.Api.Hosting;
using EmbeddingService.Api.Security;
using EmbeddingService.Engine.Inference;
using k8s;
using k8s.Models;

namespace EmbeddingService.Deployment.Tests;

/// <summary>The manifests of k8s/ against each other and against the service's code.</summary>
public sealed class ManifestTests
{
    private static readonly ServingOptions Defaults = new();

    private static V1Container Api => Manifests.ApiContainer;

    private static IReadOnlyDictionary<string, string> Environment => Manifests.ApiEnvironment;

    private static ServingOptions Serving => (ServingOptions)ConfigurationKeys.BindAndValidate(Environment)[typeof(ServingOptions)];

    [Fact]
    public void EveryFileParsesIntoKnownKindsWithoutANamespace()
    {
        Assert.NotEmpty(Manifests.Files);
        foreach (var file in Manifests.Files)
            Assert.Contains(Manifests.All, x => x.File == file);
        foreach (var (file, o) in Manifests.All)
        {
            Assert.False(string.IsNullOrEmpty(o.ApiVersion), $"{file}: apiVersion missing");
            var metadata = Assert.IsAssignableFrom<IMetadata<V1ObjectMeta>>(o).Metadata;
            Assert.False(string.IsNullOrEmpty(metadata?.Name), $"{file}: {o.Kind} without a name");
            Assert.True(metadata!.NamespaceProperty is null, $"{file}: {o.Kind} {metadata.Name} sets a namespace; the manifests are namespace-less");
        }
        var kinds = Manifests.All.Select(x => x.Object.Kind).ToHashSet();
        foreach (var kind in new[] { "Deployment", "Service", "ConfigMap", "Secret", "HorizontalPodAutoscaler", "PodDisruptionBudget", "PersistentVolumeClaim" })
            Assert.Contains(kind, kinds);
    }

    [Fact]
    public void KustomizationListsEveryManifestButTheSecretTemplate()
    {
        var resources = Manifests.KustomizationResources();
        var secretFiles = Manifests.All.Where(x => x.Object is V1Secret).Select(x => x.File).ToHashSet();
        Assert.Equal(Manifests.Files.Where(f => !secretFiles.Contains(f)).Order(), resources.Order());
    }

    [Fact]
    public void SelectorsMatchThePodLabels()
    {
        var deployment = Manifests.Api;
        var podLabels = deployment.Spec.Template.Metadata.Labels;
        Assert.Equal("embedding-api", podLabels["app.kubernetes.io/name"]);
        AssertSubset(deployment.Spec.Selector.MatchLabels, podLabels, "Deployment selector");
        Assert.Null(deployment.Spec.Selector.MatchExpressions);

        var service = Manifests.ApiService;
        Assert.NotEmpty(service.Spec.Selector);
        AssertSubset(service.Spec.Selector, podLabels, "Service selector");

        var pdb = Manifests.Single<V1PodDisruptionBudget>();
        AssertSubset(pdb.Spec.Selector.MatchLabels, podLabels, "PodDisruptionBudget selector");
        Assert.True(pdb.Spec.MinAvailable is not null ^ pdb.Spec.MaxUnavailable is not null, "PodDisruptionBudget: exactly one of minAvailable/maxUnavailable");
    }

    [Fact]
    public void AutoscalerTargetsTheDeploymentAndOwnsTheReplicaCount()
    {
        var hpa = Manifests.Single<V2HorizontalPodAutoscaler>();
        Assert.Equal("autoscaling/v2", hpa.ApiVersion);
        Assert.Equal("apps/v1", hpa.Spec.ScaleTargetRef.ApiVersion);
        Assert.Equal("Deployment", hpa.Spec.ScaleTargetRef.Kind);
        Assert.Equal(Manifests.Api.Metadata.Name, hpa.Spec.ScaleTargetRef.Name);
        Assert.InRange(hpa.Spec.MinReplicas ?? 1, 1, hpa.Spec.MaxReplicas);
        Assert.NotEmpty(hpa.Spec.Metrics);
        // A CPU utilization target is a percentage of the request: without one the autoscaler cannot compute it.
        if (hpa.Spec.Metrics.Any(m => m.Resource?.Name == "cpu"))
            Assert.True(Api.Resources.Requests?.ContainsKey("cpu"), "the HPA scales on CPU utilization but the container requests no CPU");
        Assert.True(Manifests.Api.Spec.Replicas is null, "spec.replicas would reset the autoscaler on every apply");
    }

    [Fact]
    public void ContainerPortsAreTheServingDefaultsAndTheServiceTargetsThem()
    {
        var ports = Api.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(Defaults.RestPort, ports["rest"]);
        Assert.Equal(Defaults.GrpcPort, ports["grpc"]);
        // Whatever the ConfigMap says wins over the defaults: the container must listen where the ports say.
        Assert.Equal(Serving.RestPort, ports["rest"]);
        Assert.Equal(Serving.GrpcPort, ports["grpc"]);
        Assert.Equal("0.0.0.0", Serving.BindAddress);

        var service = Manifests.ApiService;
        var rest = Assert.Single(service.Spec.Ports, p => p.Name == "rest");
        var grpc = Assert.Single(service.Spec.Ports, p => p.Name == "grpc");
        Assert.Equal(Defaults.RestPort, Manifests.ResolvePort(Api, rest.TargetPort));
        Assert.Equal(Defaults.GrpcPort, Manifests.ResolvePort(Api, grpc.TargetPort));
        Assert.Equal("kubernetes.io/h2c", grpc.AppProtocol);
        Assert.All(service.Spec.Ports, p => Assert.Equal("TCP", p.Protocol ?? "TCP"));
    }

    [Fact]
    public void ProbesUseTheHealthRoutesOnTheRestPort()
    {
        AssertHttpProbe(Api.LivenessProbe, "/health/live");
        AssertHttpProbe(Api.ReadinessProbe, "/health/ready");
        Assert.NotNull(Api.StartupProbe);
        AssertHttpProbe(Api.StartupProbe, "/health/ready", "/health/live");
        // Model loading happens before Kestrel listens: the startup budget must be far longer than liveness's.
        var startupBudget = (Api.StartupProbe.PeriodSeconds ?? 10) * (Api.StartupProbe.FailureThreshold ?? 3);
        var livenessBudget = (Api.LivenessProbe.PeriodSeconds ?? 10) * (Api.LivenessProbe.FailureThreshold ?? 3);
        Assert.True(startupBudget >= 120 && startupBudget > livenessBudget, $"startup probe allows only {startupBudget} s for loading the model");
    }

    [Fact]
    public void GracePeriodCoversPreStopAndTheDrain()
    {
        var pod = Manifests.Api.Spec.Template.Spec;
        var preStop = Api.Lifecycle?.PreStop;
        Assert.NotNull(preStop);
        var sleep = preStop.Sleep?.Seconds
            ?? (preStop.Exec?.Command is [.., var last] && preStop.Exec.Command.Any(c => c.EndsWith("sleep", StringComparison.Ordinal)) ? long.Parse(last) : 0);
        Assert.True(sleep > 0, "preStop must sleep so that endpoints drain before SIGTERM");
        Assert.Equal(Environment.ContainsKey("Serving__DrainTimeoutSeconds") ? int.Parse(Environment["Serving__DrainTimeoutSeconds"]) : Defaults.DrainTimeoutSeconds,
            Serving.DrainTimeoutSeconds);
        Assert.NotNull(pod.TerminationGracePeriodSeconds);
        Assert.True(pod.TerminationGracePeriodSeconds >= sleep + Serving.DrainTimeoutSeconds + 5,
            $"terminationGracePeriodSeconds {pod.TerminationGracePeriodSeconds} < preStop {sleep} s + drain {Serving.DrainTimeoutSeconds} s + 5 s margin");
    }

    [Fact]
    public void ConfigMapAndSecretKeysNameRealOptions()
    {
        // The ConfigMaps and Secrets whose every key becomes a configuration key of the API (envFrom).
        var sources = Api.EnvFrom ?? [];
        var keys = sources.Where(s => s.ConfigMapRef is not null).SelectMany(s => (Manifests.ConfigMapNamed(s.ConfigMapRef.Name).Data ?? new Dictionary<string, string>()).Keys)
            .Concat(sources.Where(s => s.SecretRef is not null).SelectMany(s => Manifests.SecretData(Manifests.SecretNamed(s.SecretRef.Name)).Keys))
            .ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Null(ConfigurationKeys.Problem(key)));
        Assert.Contains("Model__Weights", keys);
        Assert.Contains("Model__Device", keys);
        Assert.Contains("Serving__DrainTimeoutSeconds", keys);
        Assert.Contains("Auth__ApiKeys__0", keys);
        Assert.Contains("Auth__AdminKeys__0", keys);
    }

    [Theory]
    [InlineData("Retrieval__Store", true)]
    [InlineData("Retrieval__Qdrant__Url", true)]
    [InlineData("retrieval__qdrant__apikey", true)]
    [InlineData("Retrieval__Qdrant__Uri", false)]
    [InlineData("Retrieval__Url", false)]
    public void RetrievalKeysMustNameRetrievalOptions(string key, bool valid)
    {
        Assert.Equal(valid, ConfigurationKeys.Problem(key) is null);
    }

    [Fact]
    public void TheContainerEnvironmentBindsAndValidates()
    {
        foreach (var source in Api.EnvFrom)
        {
            if (source.ConfigMapRef is { } cm) Manifests.ConfigMapNamed(cm.Name);
            if (source.SecretRef is { } s) Manifests.SecretNamed(s.Name);
        }
        Assert.All(Api.Env ?? [], e => Assert.Null(ConfigurationKeys.Problem(e.Name)));
        var bound = ConfigurationKeys.BindAndValidate(Environment);
        var model = (ModelOptions)bound[typeof(ModelOptions)];
        new ModelLoadRequest { Weights = model.Weights, Architecture = model.Architecture, Heads = model.Heads, Device = model.Device, Precision = model.Precision }.Validate();
        Assert.Matches(new Regex("^(auto|cpu|cuda(:[0-9]+)?)$", RegexOptions.IgnoreCase), model.Device);
        var auth = (AuthOptions)bound[typeof(AuthOptions)];
        Assert.NotEmpty(auth.ApiKeys);
        Assert.NotEmpty(auth.AdminKeys);
    }

    [Fact]
    public void WeightsComeFromAReadOnlyVolumeBackedByTheClaim()
    {
        var weights = Environment["Model__Weights"];
        Assert.StartsWith("/", weights);
        var mount = Assert.Single(Api.VolumeMounts, m => weights.StartsWith(m.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal));
        Assert.True(mount.ReadOnlyProperty, $"the weights mount {mount.MountPath} must be read-only");
        var volume = Assert.Single(Manifests.Api.Spec.Template.Spec.Volumes, v => v.Name == mount.Name);
        Assert.NotNull(volume.PersistentVolumeClaim);
        var claim = Assert.Single(Manifests.OfType<V1PersistentVolumeClaim>(), c => c.Metadata.Name == volume.PersistentVolumeClaim.ClaimName);
        // Replicas spread over nodes: the claim must be mountable by many of them at once.
        Assert.Contains("ReadOnlyMany", claim.Spec.AccessModes);
    }

    [Fact]
    public void TheApiRequestsAGpu()
    {
        var limits = Api.Resources.Limits;
        Assert.True(limits?.ContainsKey("nvidia.com/gpu"), "the API container must limit nvidia.com/gpu");
        Assert.True(limits!["nvidia.com/gpu"].ToInt32() >= 1);
        // Extended resources cannot be overcommitted: a request, if given, equals the limit.
        if (Api.Resources.Requests?.TryGetValue("nvidia.com/gpu", out var request) == true)
            Assert.Equal(limits["nvidia.com/gpu"].ToInt32(), request.ToInt32());
        Assert.True(Api.Resources.Limits.ContainsKey("memory"), "a memory limit keeps a leaking pod from taking the node");
    }

    [Fact]
    public void TheContainerRunsAsNonRoot() => Manifests.AssertRunsAsImageUser(Manifests.Api.Spec.Template.Spec, Api);

    private static void AssertHttpProbe(V1Probe? probe, params string[] paths)
    {
        Assert.NotNull(probe);
        Assert.NotNull(probe.HttpGet);
        Assert.Contains(probe.HttpGet.Path, paths);
        Assert.Equal(Defaults.RestPort, Manifests.ResolvePort(Api, probe.HttpGet.Port));
        Assert.Equal("HTTP", probe.HttpGet.Scheme ?? "HTTP");
    }

    private static void AssertSubset(IDictionary<string, string> selector, IDictionary<string, string> labels, string what)
    {
        Assert.NotEmpty(selector);
        foreach (var (k, v) in selector)
            Assert.True(labels.TryGetValue(k, out var label) && label == v, $"{what} {k}={v} does not match the pod labels");
    }
}
