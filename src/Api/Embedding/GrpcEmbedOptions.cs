using System.Globalization;
using EmbeddingService.Api.Problems;
using EmbeddingService.Engine.Imaging;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Embedding;

/// <summary>The embedding options of a gRPC message, validated by the same parser as the REST options.</summary>
public static class GrpcEmbedOptions
{
    /// <summary>Throws <see cref="ApiRequestError"/> (invalid_argument) naming a bad option.</summary>
    public static EmbedRequestOptions Parse(EmbedOptionsParser parser, V1.EmbedOptions? message)
    {
        if (message is null) return parser.Defaults;
        var values = new List<KeyValuePair<string, string?>>();
        if (message.Pooling != V1.Pooling.Unspecified)
            values.Add(new("pooling", message.Pooling switch
            {
                V1.Pooling.Cls => "cls",
                V1.Pooling.Mean => "mean",
                V1.Pooling.ClsMean => "cls+mean",
                var unknown => throw new ApiRequestError(ApiProblems.InvalidArgument, $"pooling {(int)unknown} is not a Pooling"),
            }));
        if (message.HasNormalize) values.Add(new("normalize", message.Normalize ? "true" : "false"));
        if (message.Policy != V1.ResizePolicy.Unspecified)
            values.Add(new("policy", message.Policy switch
            {
                V1.ResizePolicy.CenterCrop => ResizePolicies.CenterCrop,
                V1.ResizePolicy.KeepAspect => ResizePolicies.KeepAspect,
                var unknown => throw new ApiRequestError(ApiProblems.InvalidArgument, $"policy {(int)unknown} is not a ResizePolicy"),
            }));
        if (message.Resolution != 0) values.Add(new("resolution", message.Resolution.ToString(CultureInfo.InvariantCulture)));
        if (message.PatchFeatures) values.Add(new("patch_features", "true"));
        return parser.Parse(values);
    }
}
