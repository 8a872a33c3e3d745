namespace EmbeddingService.Api.Admin;

/// <summary>The default resize policy and its size (crop size for center-crop, shorter side for keep-aspect).</summary>
public sealed record PreprocessingInfo(string Policy, int Resolution);
