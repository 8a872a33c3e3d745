namespace EmbeddingService.Engine.Imaging;

/// <summary>The steps of <see cref="ImagePreprocessor.Process(ReadOnlySpan{byte})"/>, in order, as timed by <see cref="StageClock"/>.</summary>
internal enum PreprocessStage
{
    /// <summary>Skia's decode of the stored raster (RGBA).</summary>
    Decode,
    /// <summary>The EXIF-upright copy.</summary>
    Upright,
    /// <summary>The horizontal resampling pass (and the coefficients of both passes).</summary>
    ResizeHorizontal,
    /// <summary>The vertical resampling pass, or the crop copy when no axis is resampled.</summary>
    ResizeVertical,
    /// <summary>ImageNet normalisation into the CHW float tensor.</summary>
    Normalize,
}
