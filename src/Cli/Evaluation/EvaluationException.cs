namespace EmbeddingService.Cli.Evaluation;

/// <summary>The benchmark cannot go on: a service call failed as a whole, or this machine cannot make the queries asked for.</summary>
public sealed class EvaluationException(string message, Exception? inner = null) : Exception(message, inner);
