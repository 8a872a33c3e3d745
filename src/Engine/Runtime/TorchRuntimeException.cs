namespace EmbeddingService.Engine.Runtime;

/// <summary>The native libtorch backend could not be loaded.</summary>
public sealed class TorchRuntimeException(string message, Exception? inner = null) : Exception(message, inner);
