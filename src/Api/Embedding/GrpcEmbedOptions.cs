using EmbeddingService.Api.Problems;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Inference;
using V1 = EmbeddingService.Protos.V1;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// The embedding options of a gRPC message, its enums mapped straight to the typed options over the configured
/// defaults; a value outside an enum is invalid_argument, never a silent default.
/// </summary>
public static class GrpcEmbedOptions
{
    /// <summary>Throws <see cref="ApiRequestError"/> (invalid_argument) naming a bad option.</summary>
    public static EmbedRequestOptions Parse(EmbedOptionsParser parser, V1.EmbedOptions? message)
    {
        var options = parser.Defaults;
        if (message is null) return options;
        options = options with
        {
            Pooling = message.Pooling switch
            {
                V1.Pooling.Unspecified => options.Pooling,
                V1.Pooling.Cls => Pooling.Cls,
                V1.Pooling.Mean => Pooling.Mean,
                V1.Pooling.ClsMean => Pooling.ClsMean,
                var unknown => throw Invalid("pooling", (int)unknown),
            },
            Policy = message.Policy switch
            {
                V1.ResizePolicy.Unspecified => options.Policy,
                V1.ResizePolicy.CenterCrop => ResizePolicy.CenterCrop,
                V1.ResizePolicy.KeepAspect => ResizePolicy.KeepAspect,
                var unknown => throw Invalid("policy", (int)unknown),
            },
            Normalize = message.HasNormalize ? message.Normalize : options.Normalize,
            Resolution = message.Resolution == 0 ? options.Resolution : parser.Resolution(message.Resolution),
            PatchFeatures = message.PatchFeatures,
        };
        return parser.Checked(options);
    }

    private static ApiRequestError Invalid(string option, int value) =>
        new(ApiProblems.InvalidArgument, $"option '{option}' is {value}, which its enum does not define");
}
