using EmbeddingService.Trainer.Models;
using Google.Protobuf.WellKnownTypes;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Trainer.Endpoints;

/// <summary>Between the model registry's records and the gRPC messages.</summary>
public static class ModelMessages
{
    public static V1.Model Model(ModelRecord model, string? activeId)
    {
        var message = new V1.Model
        {
            Id = model.Id,
            Fingerprint = model.Fingerprint,
            Architecture = model.Architecture,
            SourceJobId = model.Id,
            SourceKind = JobMessages.Kind(model.SourceKind),
            CreatedAt = Timestamp.FromDateTimeOffset(model.CreatedAt),
            Active = model.Id == activeId,
            SizeBytes = model.SizeBytes,
            ConfigJson = model.ConfigJson,
        };
        foreach (var (name, value) in model.Knn) message.Knn[name] = value;
        message.Files.AddRange(ModelRecord.Files);
        return message;
    }

    public static V1.ActiveModel Active(ActiveModelRecord active)
    {
        var message = new V1.ActiveModel { Generation = active.Generation };
        if (active.Model is { } model) message.Model = Model(model, model.Id);
        if (active.ActivatedAt is { } at) message.ActivatedAt = Timestamp.FromDateTimeOffset(at);
        return message;
    }
}
