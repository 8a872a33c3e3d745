using System.Reflection;
using System.Text.RegularExpressions;
using EmbeddingService.Retrieval.Qdrant;
using k8s.Models;
using Qdrant.Client;

namespace EmbeddingService.Deployment.Tests;

/// <summary>The Qdrant StatefulSet and Services of k8s/, against each other and against the API's Qdrant settings.</summary>
public sealed class QdrantManifestTests
{
    private const int HttpPort = 6333;
    private const int GrpcPort = 6334;

    private static V1StatefulSet Qdrant => Manifests.Qdrant;

    private static V1Container Container => Manifests.QdrantContainer;

    private static IDictionary<string, string> PodLabels => Qdrant.Spec.Template.Metadata.Labels;

    private static readonly string[] QdrantServices = ["qdrant", "qdrant-headless"];

    [Fact]
    public void TheStatefulSetSelectsItsPodsAndIsGovernedByAHeadlessService()
    {
        Assert.Null(Qdrant.Spec.Selector.MatchExpressions);
        Assert.True(Manifests.Selects(Qdrant.Spec.Selector.MatchLabels, PodLabels), "the StatefulSet selector does not match its pod labels");
        var governing = Manifests.ServiceNamed(Qdrant.Spec.ServiceName);
        Assert.Equal("None", governing.Spec.ClusterIP);
        Assert.True(Manifests.Selects(governing.Spec.Selector, PodLabels), $"Service {governing.Metadata.Name} does not select the Qdrant pods");
    }

    [Fact]
    public void TheQdrantServicesSelectOnlyQdrantPodsAndTheApiServiceNone()
    {
        var apiPods = Manifests.Api.Spec.Template.Metadata.Labels;
        foreach (var name in QdrantServices)
        {
            var selector = Manifests.ServiceNamed(name).Spec.Selector;
            Assert.True(Manifests.Selects(selector, PodLabels), $"Service {name} does not select the Qdrant pods");
            Assert.False(Manifests.Selects(selector, apiPods), $"Service {name} also selects the API pods");
        }
        Assert.False(Manifests.Selects(Manifests.ApiService.Spec.Selector, PodLabels), "the API Service also selects the Qdrant pods");
    }

    [Fact]
    public void ServicePortsTargetTheNamedContainerPorts()
    {
        var ports = Container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(HttpPort, ports["http"]);
        Assert.Equal(GrpcPort, ports["grpc"]);
        foreach (var name in QdrantServices)
        {
            var service = Manifests.ServiceNamed(name);
            var http = Assert.Single(service.Spec.Ports, p => p.Name == "http");
            var grpc = Assert.Single(service.Spec.Ports, p => p.Name == "grpc");
            Assert.Equal(HttpPort, Manifests.ResolvePort(Container, http.TargetPort));
            Assert.Equal(GrpcPort, Manifests.ResolvePort(Container, grpc.TargetPort));
            Assert.Equal("kubernetes.io/h2c", grpc.AppProtocol);
        }
    }

    [Fact]
    public void TheApiReachesQdrantThroughTheServiceGrpcPort()
    {
        var environment = Manifests.ApiEnvironment;
        Assert.Equal("qdrant", environment["Retrieval__Store"]);
        var url = environment["Retrieval__Qdrant__Url"];
        Assert.Empty(new QdrantStoreOptions { Url = url }.Problems());
        var address = new Uri(url);
        var service = Manifests.ServiceNamed(address.Host.Split('.')[0]);
        Assert.NotEqual("None", service.Spec.ClusterIP); // one stable address, not the pods' own
        Assert.True(address.Host == service.Metadata.Name || address.Host.StartsWith(service.Metadata.Name + ".", StringComparison.Ordinal));
        var port = Assert.Single(service.Spec.Ports, p => p.Port == address.Port);
        Assert.Equal(GrpcPort, Manifests.ResolvePort(Container, port.TargetPort));
        // Qdrant is not configured for TLS here (no QDRANT__SERVICE__ENABLE_TLS): the URL must not ask for it.
        Assert.Equal(Uri.UriSchemeHttp, address.Scheme);
        Assert.DoesNotContain(Container.Env, e => e.Name == "QDRANT__SERVICE__ENABLE_TLS");
    }

    [Fact]
    public void OneSecretKeyAuthenticatesBothSides()
    {
        var server = Assert.Single(Container.Env, e => e.Name == "QDRANT__SERVICE__API_KEY").ValueFrom?.SecretKeyRef;
        var client = Assert.Single(Manifests.ApiContainer.Env ?? [], e => e.Name == "Retrieval__Qdrant__ApiKey").ValueFrom?.SecretKeyRef;
        Assert.NotNull(server);
        Assert.NotNull(client);
        Assert.Equal((server.Name, server.Key), (client.Name, client.Key));
        Assert.NotEqual(true, server.Optional);
        Assert.NotEqual(true, client.Optional);
        Assert.Contains(server.Key, Manifests.SecretData(Manifests.SecretNamed(server.Name)).Keys);
    }

    [Fact]
    public void ProbesUseQdrantsHealthEndpointsOnTheHttpPort()
    {
        AssertHttpProbe(Container.ReadinessProbe, "/readyz");
        AssertHttpProbe(Container.LivenessProbe, "/livez");
        AssertHttpProbe(Container.StartupProbe, "/livez", "/readyz");
        var startupBudget = (Container.StartupProbe.PeriodSeconds ?? 10) * (Container.StartupProbe.FailureThreshold ?? 3);
        var livenessBudget = (Container.LivenessProbe.PeriodSeconds ?? 10) * (Container.LivenessProbe.FailureThreshold ?? 3);
        Assert.True(startupBudget > livenessBudget, $"the startup probe allows {startupBudget} s to load collections, no more than liveness's {livenessBudget} s");
    }

    [Fact]
    public void StorageIsAClaimPerPodMountedWhereQdrantKeepsItsData()
    {
        var mount = Assert.Single(Container.VolumeMounts, m => m.MountPath == "/qdrant/storage");
        Assert.NotEqual(true, mount.ReadOnlyProperty);
        var claim = Assert.Single(Qdrant.Spec.VolumeClaimTemplates, c => c.Metadata.Name == mount.Name);
        Assert.Contains("ReadWriteOnce", claim.Spec.AccessModes);
        Assert.True(claim.Spec.Resources.Requests.ContainsKey("storage"), "the storage claim requests no size");
        Assert.DoesNotContain(Qdrant.Spec.Template.Spec.Volumes ?? [], v => v.Name == mount.Name);
    }

    [Fact]
    public void QdrantRunsAsNonRootWithRequests()
    {
        var pod = Qdrant.Spec.Template.Spec.SecurityContext;
        var container = Container.SecurityContext;
        Assert.True((container?.RunAsNonRoot ?? pod?.RunAsNonRoot) == true, "runAsNonRoot must be set");
        Assert.True((container?.RunAsUser ?? pod?.RunAsUser) > 0, "runAsUser must name a non-root UID");
        Assert.False(container?.AllowPrivilegeEscalation ?? true, "allowPrivilegeEscalation must be false");
        Assert.Contains("ALL", container?.Capabilities?.Drop ?? []);
        Assert.True(Container.Resources.Requests?.ContainsKey("cpu") == true && Container.Resources.Requests.ContainsKey("memory"), "Qdrant must request CPU and memory");
        Assert.True(Container.Resources.Limits?.ContainsKey("memory") == true, "a memory limit keeps Qdrant from taking the node");
    }

    [Fact]
    public void TheImageIsPinnedUnprivilegedAndOfTheClientsVersion()
    {
        var image = Regex.Match(Container.Image, @"^(docker\.io/)?qdrant/qdrant:v(?<major>[0-9]+)\.(?<minor>[0-9]+)\.[0-9]+(?<unprivileged>-unprivileged)?$");
        Assert.True(image.Success, $"{Container.Image} is not a pinned qdrant/qdrant:vX.Y.Z[-unprivileged] image");
        // Only the unprivileged image runs as a non-root user (UID 1000) out of the box.
        Assert.True(image.Groups["unprivileged"].Success, $"{Container.Image}: the pod runs as non-root, so use the -unprivileged image");
        // Qdrant supports clients of the same minor version (and one apart); keep server and Qdrant.Client in step.
        var client = typeof(QdrantClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('.');
        Assert.Equal($"{client[0]}.{client[1]}", $"{image.Groups["major"].Value}.{image.Groups["minor"].Value}");
    }

    private static void AssertHttpProbe(V1Probe? probe, params string[] paths)
    {
        Assert.NotNull(probe);
        Assert.NotNull(probe.HttpGet);
        Assert.Contains(probe.HttpGet.Path, paths);
        Assert.Equal(HttpPort, Manifests.ResolvePort(Container, probe.HttpGet.Port));
        Assert.Equal("HTTP", probe.HttpGet.Scheme ?? "HTTP");
    }
}
