namespace EmbeddingService.Api.Observability;

/// <summary>
/// The name of the service's own meter, exported with the ASP.NET Core and runtime metrics. Publish through
/// <c>IMeterFactory.Create(ServiceMeter.Name)</c> (or <c>new Meter(ServiceMeter.Name)</c>).
/// </summary>
public static class ServiceMeter
{
    public const string Name = "EmbeddingService";
}
