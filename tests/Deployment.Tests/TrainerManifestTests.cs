using EmbeddingService.Api.Training;
using EmbeddingService.Trainer.Hosting;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace EmbeddingService.Deployment.Tests;

/// <summary>The trainer worker's StatefulSet, Services, ConfigMap and NetworkPolicy, against each other and the worker's settings.</summary>
public sealed class TrainerManifestTests
{
    private static V1StatefulSet Trainer => Manifests.Trainer;

    private static V1Container Container => Manifests.TrainerContainer;

    private static IDictionary<string, string> PodLabels => Trainer.Spec.Template.Metadata.Labels;

    private static readonly string[] TrainerServices = ["embedding-trainer", "embedding-trainer-headless"];

    /// <summary>The worker's options as its own reader binds and checks them from the container's environment.</summary>
    private static TrainerOptions Options
    {
        get
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(Manifests.TrainerEnvironment
                    .Where(kv => kv.Key.Contains("__", StringComparison.Ordinal))
                    .Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), (string?)kv.Value)))
                .Build();
            return TrainerOptionsReader.Read(configuration);
        }
    }

    [Fact]
    public void OneReplicaSelectsItsPodsAndIsGovernedByAHeadlessService()
    {
        // Two workers must never share a job store: the worker locks its data directory, and a second replica would exit.
        Assert.Equal(1, Trainer.Spec.Replicas);
        Assert.Null(Trainer.Spec.Selector.MatchExpressions);
        Assert.True(Manifests.Selects(Trainer.Spec.Selector.MatchLabels, PodLabels), "the StatefulSet selector does not match its pod labels");
        var governing = Manifests.ServiceNamed(Trainer.Spec.ServiceName);
        Assert.Equal("None", governing.Spec.ClusterIP);
        Assert.True(Manifests.Selects(governing.Spec.Selector, PodLabels));
    }

    [Fact]
    public void TheTrainerServicesSelectOnlyTrainerPods()
    {
        var apiPods = Manifests.Api.Spec.Template.Metadata.Labels;
        foreach (var name in TrainerServices)
        {
            var selector = Manifests.ServiceNamed(name).Spec.Selector;
            Assert.True(Manifests.Selects(selector, PodLabels), $"Service {name} does not select the trainer pod");
            Assert.False(Manifests.Selects(selector, apiPods), $"Service {name} also selects the API pods");
        }
        Assert.False(Manifests.Selects(Manifests.ApiService.Spec.Selector, PodLabels), "the API Service also selects the trainer pod");
    }

    [Fact]
    public void ContainerPortsAreTheConfiguredOnesAndTheServiceTargetsThem()
    {
        var options = Options;
        var ports = Container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(options.GrpcPort, ports["grpc"]);
        Assert.Equal(options.HttpPort, ports["http"]);
        Assert.Equal("0.0.0.0", options.BindAddress);
        var service = Manifests.ServiceNamed("embedding-trainer");
        Assert.NotEqual("None", service.Spec.ClusterIP);
        var grpc = Assert.Single(service.Spec.Ports, p => p.Name == "grpc");
        Assert.Equal(options.GrpcPort, Manifests.ResolvePort(Container, grpc.TargetPort));
        Assert.Equal("kubernetes.io/h2c", grpc.AppProtocol);
        var http = Assert.Single(service.Spec.Ports, p => p.Name == "http");
        Assert.Equal(options.HttpPort, Manifests.ResolvePort(Container, http.TargetPort));
    }

    [Fact]
    public void ProbesUseTheHealthRoutesOnTheHttpPort()
    {
        var options = Options;
        foreach (var (probe, paths) in new[] { (Container.LivenessProbe, new[] { "/health/live" }), (Container.ReadinessProbe, ["/health/ready"]), (Container.StartupProbe, ["/health/live", "/health/ready"]) })
        {
            Assert.NotNull(probe?.HttpGet);
            Assert.Contains(probe.HttpGet.Path, paths);
            Assert.Equal(options.HttpPort, Manifests.ResolvePort(Container, probe.HttpGet.Port));
        }
    }

    [Fact]
    public void GracePeriodCoversTheCheckpointAtShutdown()
    {
        // SIGTERM checkpoints the running job at its next step boundary, within ShutdownTimeoutSeconds; killing it
        // earlier loses the steps since the last periodic checkpoint.
        var grace = Trainer.Spec.Template.Spec.TerminationGracePeriodSeconds;
        Assert.NotNull(grace);
        Assert.True(grace >= Options.ShutdownTimeoutSeconds + 10,
            $"terminationGracePeriodSeconds {grace} < Trainer__ShutdownTimeoutSeconds {Options.ShutdownTimeoutSeconds} + 10 s for the checkpoint write");
    }

    [Fact]
    public void EveryConfigurationKeyNamesATrainerSetting()
    {
        var properties = typeof(TrainerOptions).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var keys = Manifests.TrainerEnvironment.Keys.Where(k => k.StartsWith(TrainerOptions.Section + "__", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Contains(key.Split("__", 2)[1], properties));
        Assert.All(Manifests.TrainerEnvironment.Keys, key => Assert.True(
            key.StartsWith(TrainerOptions.Section + "__", StringComparison.Ordinal) || key.StartsWith("Logging__", StringComparison.Ordinal) || key == "OMP_NUM_THREADS",
            $"'{key}' is neither a trainer setting nor a runtime variable"));
    }

    [Fact]
    public void TheJobStoreAndTheDatasetsLiveOnTheClaim()
    {
        var options = Options;
        var claim = Assert.Single(Trainer.Spec.VolumeClaimTemplates);
        Assert.Contains("ReadWriteOnce", claim.Spec.AccessModes);
        var mount = Assert.Single(Container.VolumeMounts, m => m.Name == claim.Metadata.Name);
        Assert.False(mount.ReadOnlyProperty ?? false);
        var root = mount.MountPath.TrimEnd('/') + "/";
        Assert.True((options.DataDirectory.TrimEnd('/') + "/").StartsWith(root, StringComparison.Ordinal), $"Trainer__DataDirectory {options.DataDirectory} is not on the claim ({mount.MountPath})");
        var dataRoot = Manifests.TrainerEnvironment["Trainer__DataRoot"];
        Assert.True((dataRoot.TrimEnd('/') + "/").StartsWith(root, StringComparison.Ordinal), $"Trainer__DataRoot {dataRoot} is not on the claim ({mount.MountPath})");
        // The root filesystem is read-only: everything the worker writes must be on a volume.
        Assert.True(Container.SecurityContext?.ReadOnlyRootFilesystem);
    }

    [Fact]
    public void OnlyTheApiPodsReachTheTrainersGrpcPort()
    {
        var policy = Assert.Single(Manifests.OfType<V1NetworkPolicy>(), p => p.Metadata.Name == "embedding-trainer");
        Assert.True(Manifests.Selects(policy.Spec.PodSelector.MatchLabels, PodLabels));
        Assert.Contains("Ingress", policy.Spec.PolicyTypes);
        var apiPods = Manifests.Api.Spec.Template.Metadata.Labels;
        var grpcRules = policy.Spec.Ingress.Where(r => r.Ports.Any(p => Manifests.ResolvePort(Container, p.Port) == Options.GrpcPort)).ToList();
        var grpcRule = Assert.Single(grpcRules);
        Assert.NotEmpty(grpcRule.FromProperty);
        Assert.All(grpcRule.FromProperty, peer =>
        {
            Assert.Null(peer.IpBlock);
            Assert.Null(peer.NamespaceSelector);
            Assert.True(Manifests.Selects(peer.PodSelector?.MatchLabels, apiPods), "a gRPC ingress peer is not the API pods");
            Assert.False(Manifests.Selects(peer.PodSelector?.MatchLabels, PodLabels));
        });
    }

    [Fact]
    public void TheApiReachesTheTrainerThroughItsServiceGrpcPort()
    {
        var training = (TrainingOptions)ConfigurationKeys.BindAndValidate(Manifests.ApiEnvironment)[typeof(TrainingOptions)];
        Assert.True(training.Enabled);
        // Unset, every API pod would start a local worker of its own instead of sharing this one.
        Assert.False(string.IsNullOrEmpty(training.Endpoint), "Training__Endpoint must point the API pods at the trainer Service");
        var address = new Uri(training.Endpoint);
        Assert.Equal(Uri.UriSchemeHttp, address.Scheme); // cleartext HTTP/2 inside the cluster, as the worker serves it
        var service = Manifests.ServiceNamed(address.Host.Split('.')[0]);
        Assert.NotEqual("None", service.Spec.ClusterIP);
        var port = Assert.Single(service.Spec.Ports, p => p.Port == address.Port);
        Assert.Equal(Options.GrpcPort, Manifests.ResolvePort(Container, port.TargetPort));
    }

    [Fact]
    public void TheApiCachesActivatedModelsOnAWritableVolume()
    {
        var cache = ((TrainingOptions)ConfigurationKeys.BindAndValidate(Manifests.ApiEnvironment)[typeof(TrainingOptions)]).ModelCacheDirectory;
        Assert.StartsWith("/", cache);
        var api = Manifests.ApiContainer;
        var mount = Assert.Single(api.VolumeMounts, m => (cache.TrimEnd('/') + "/").StartsWith(m.MountPath.TrimEnd('/') + "/", StringComparison.Ordinal));
        Assert.False(mount.ReadOnlyProperty ?? false, $"the model cache mount {mount.MountPath} must be writable");
        var volume = Assert.Single(Manifests.Api.Spec.Template.Spec.Volumes, v => v.Name == mount.Name);
        Assert.NotNull(volume.EmptyDir); // per pod: a new replica downloads the active model again
    }

    [Fact]
    public void TheTrainerRunsTheWorkerTheReleaseBuildPublishes()
    {
        var published = $"{TrainerExecutable.PublishedFolder}/{TrainerExecutable.FileName}";
        Assert.Equal(["dotnet", published], Container.Command);
        Assert.Null(Container.Args);
        // The path is relative to the image's WORKDIR, where build-release.sh's output is copied.
        var final = DockerfileTests.Parse().Stages[^1];
        Assert.Equal("/app", final.All("WORKDIR").Last());
        Assert.Contains(final.All("COPY"), c => c.Contains("--from=build /app", StringComparison.Ordinal));
        Assert.Contains($"dotnet publish src/Trainer -c Release -p:TorchBackend=\"$backend\" -o \"$out/{TrainerExecutable.PublishedFolder}\"", DockerfileTests.ReleaseScript());
        Assert.Equal(Manifests.ApiContainer.Image, Container.Image);
    }

    [Fact]
    public void TheContainerRunsAsNonRoot() => Manifests.AssertRunsAsImageUser(Trainer.Spec.Template.Spec, Container);
}
