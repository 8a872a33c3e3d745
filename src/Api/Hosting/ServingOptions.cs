using System.ComponentModel.DataAnnotations;
using EmbeddingService.Engine.Imaging;
using EmbeddingService.Engine.Model;

namespace EmbeddingService.Api.Hosting;

/// <summary>Configuration section "Serving": ports, request limits, preprocessing and batching.</summary>
public sealed class ServingOptions
{
    public const string Section = "Serving";

    // Every binder of this class (the host's, the deployment tests') reads these enums by their documented names.
    static ServingOptions()
    {
        KebabCaseEnumConverter<ResizePolicy>.Register();
        KebabCaseEnumConverter<BatchLayout>.Register();
    }

    /// <summary>REST (HTTP/1.1 and HTTP/2) port; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int RestPort { get; set; } = 8080;

    /// <summary>gRPC port: cleartext HTTP/2 only (h2c); 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 8081;

    /// <summary>Address both ports bind to.</summary>
    [Required]
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>Default resize policy: center-crop or keep-aspect.</summary>
    public ResizePolicy Policy { get; set; } = ResizePolicy.CenterCrop;

    /// <summary>center-crop: crop size; keep-aspect: shorter side. A multiple of the patch size.</summary>
    [Range(14, 4096)]
    public int Resolution { get; set; } = 224;

    [Range(1024, 1L << 31)]
    public long MaxBodyBytes { get; set; } = 20 * 1024 * 1024;

    [Range(1, 4096)]
    public int MaxImagesPerRequest { get; set; } = 64;

    [Range(1, 1L << 31)]
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Deadline of a request that names none (header X-Request-Timeout-Ms or gRPC deadline).</summary>
    [Range(1, 3_600_000)]
    public int DefaultDeadlineMs { get; set; } = 30_000;

    /// <summary>How long graceful shutdown waits for queued and running work.</summary>
    [Range(0, 3600)]
    public int DrainTimeoutSeconds { get; set; } = 30;

    /// <summary>Images waiting for the model at most; beyond it requests are refused (429 / RESOURCE_EXHAUSTED).</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 256;

    [Range(1, 4096)]
    public int MaxBatchImages { get; set; } = 32;

    /// <summary>Token budget of one batch (a 224 image of ViT-S/14 is 257 tokens).</summary>
    [Range(1, 10_000_000)]
    public int MaxBatchTokens { get; set; } = 8224;

    /// <summary>Tokens of one image at most (1374: the 518×518 grid of a patch-14 model with registers); larger images are refused with image_too_large.</summary>
    [Range(1, 10_000_000)]
    public int MaxImageTokens { get; set; } = 1374;

    /// <summary>Tokens of one request at most, over all its images; beyond it request_too_large.</summary>
    [Range(1, 100_000_000)]
    public int MaxRequestTokens { get; set; } = 32_896;

    /// <summary>Decoded pixels of one request at most, over all its images; beyond it request_too_large.</summary>
    [Range(1, long.MaxValue)]
    public long MaxRequestPixels { get; set; } = 200_000_000;

    /// <summary>A batch running longer than this marks the service unready (a stuck executor).</summary>
    [Range(1, 86_400)]
    public int MaxBatchSeconds { get; set; } = 120;

    /// <summary>How long the batch former waits for more work once it has some; 0 takes what is queued.</summary>
    [Range(0, 10_000)]
    public int MaxQueueDelayMs { get; set; } = 5;

    /// <summary>Images decoded at once across all requests; 0 means one per core.</summary>
    [Range(0, 1024)]
    public int DecodeConcurrency { get; set; }

    /// <summary>packed (default: no padding) or padded (pad each batch to its longest sequence; for comparison only).</summary>
    public BatchLayout BatchLayout { get; set; } = BatchLayout.Packed;

    /// <summary>Images in flight per gRPC stream.</summary>
    [Range(1, 100_000)]
    public int MaxInFlightPerStream { get; set; } = 64;

    /// <summary>Seconds a client may take to send its request headers (Kestrel's RequestHeadersTimeout, same default); then the connection is closed.</summary>
    [Range(1, 3600)]
    public int RequestHeadersTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// The slowest a request body may arrive once <see cref="MinRequestBodyGraceSeconds"/> have passed (Kestrel's
    /// MinRequestBodyDataRate, same defaults): a slower body is answered 408, logged at Information and counted as a
    /// client abort, so a stalled client cannot hold a request and its buffers. 0 turns the check off.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Seconds before <see cref="MinRequestBodyBytesPerSecond"/> applies; more than 1 (Kestrel checks rates once a second).</summary>
    [Range(2, 3600)]
    public int MinRequestBodyGraceSeconds { get; set; } = 5;
}
