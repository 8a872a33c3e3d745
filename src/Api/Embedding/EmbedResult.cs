using System.Diagnostics.CodeAnalysis;
using EmbeddingService.Engine.Inference;

namespace EmbeddingService.Api.Embedding;

/// <summary>
/// What one call of <see cref="EmbeddingRuntime"/> gives: every input's embedding and the model that made them,
/// or the one failure to report (multi-image calls are all-or-nothing).
/// </summary>
public sealed class EmbedResult
{
    private EmbedResult(ModelDescriptor? model, IReadOnlyList<Embedded> items, EmbedFailure? failure)
    {
        Model = model;
        Items = items;
        Failure = failure;
    }

    /// <summary>The model that computed the embeddings; null on failure.</summary>
    public ModelDescriptor? Model { get; }

    /// <summary>One per input, in input order; empty on failure.</summary>
    public IReadOnlyList<Embedded> Items { get; }

    public EmbedFailure? Failure { get; }

    [MemberNotNullWhen(true, nameof(Model))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public int Tokens => Items.Sum(i => i.Embedding.Tokens);

    /// <summary>The slowest decode, queue wait and batch of the call (its inputs ran in parallel).</summary>
    public double DecodeMs => Slowest(i => i.DecodeTime);
    public double QueueMs => Slowest(i => i.QueueTime);
    public double InferenceMs => Slowest(i => i.InferenceTime);

    public static EmbedResult Success(ModelDescriptor model, IReadOnlyList<Embedded> items) => new(model, items, null);

    public static EmbedResult Failed(EmbedFailure failure) => new(null, [], failure);

    private double Slowest(Func<Embedded, TimeSpan> time) => Items.Count == 0 ? 0 : Items.Max(i => time(i).TotalMilliseconds);
}
