using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// The bytes of one operation inside a log frame, little-endian:
/// upsert = 0x01, count i32, dimension i32, then per point: id (u16 length + UTF-8), payload (i32 length + UTF-8 JSON,
/// −1 for none), vector (dimension × f32); delete = 0x02, count i32, then per id: u16 length + UTF-8.
/// A frame's body (after its group prefix) is one or more operations back to back.
/// </summary>
internal static class LogOperationCodec
{
    private const byte Upsert = 1;
    private const byte Delete = 2;

    /// <summary>
    /// The operation as chunks of about <paramref name="chunkBytes"/> each (a chunk closes once it reaches the size, so it
    /// may pass it by one point or id): operations of the same kind whose replay in order is the whole operation.
    /// </summary>
    public static List<byte[]> Encode(LogOperation operation, int chunkBytes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        switch (operation)
        {
            case UpsertOperation upsert:
                var dimension = upsert.Ids.Length == 0 ? 0 : upsert.Vectors.Length / upsert.Ids.Length;
                using (var json = new Utf8JsonWriter(buffer))
                {
                    return Chunks(buffer, chunkBytes, Upsert, dimension, upsert.Ids.Length, i =>
                    {
                        WriteId(buffer, upsert.Ids[i]);
                        WritePayload(buffer, json, upsert.Payloads[i]);
                        buffer.Write(MemoryMarshal.AsBytes(upsert.Vectors.AsSpan(i * dimension, dimension)));
                    });
                }
            case DeleteOperation delete:
                return Chunks(buffer, chunkBytes, Delete, null, delete.Ids.Length, i => WriteId(buffer, delete.Ids[i]));
            default:
                throw new ArgumentException($"unknown operation {operation.GetType().Name}", nameof(operation));
        }
    }

    /// <summary>The operations of a frame body; throws <see cref="InvalidDataException"/> when the bytes are not operations of this dimension.</summary>
    public static List<LogOperation> DecodeAll(ReadOnlySpan<byte> body, int dimension)
    {
        var operations = new List<LogOperation>();
        var reader = new SpanReader(body);
        while (!reader.AtEnd)
        {
            var kind = reader.Byte();
            var count = reader.Int32();
            if (count < 0) throw new InvalidDataException($"negative point count {count}");
            if (kind == Upsert)
            {
                var recorded = reader.Int32();
                if (recorded != dimension) throw new InvalidDataException($"upsert of dimension {recorded} in a collection of dimension {dimension}");
                var ids = new string[count];
                var payloads = new JsonElement?[count];
                var vectors = new float[(long)count * dimension];
                for (var i = 0; i < count; i++)
                {
                    ids[i] = reader.Id();
                    payloads[i] = reader.Payload();
                    MemoryMarshal.Cast<byte, float>(reader.Bytes(dimension * sizeof(float))).CopyTo(vectors.AsSpan(i * dimension, dimension));
                }
                operations.Add(new UpsertOperation(ids, vectors, payloads));
            }
            else if (kind == Delete)
            {
                var ids = new string[count];
                for (var i = 0; i < count; i++) ids[i] = reader.Id();
                operations.Add(new DeleteOperation(ids));
            }
            else throw new InvalidDataException($"unknown operation type {kind}");
        }
        return operations;
    }

    /// <summary>Writes <paramref name="count"/> items in chunks, each headed by its kind, its item count and (upserts) the dimension.</summary>
    private static List<byte[]> Chunks(ArrayBufferWriter<byte> buffer, int chunkBytes, byte kind, int? dimension, int count, Action<int> writeItem)
    {
        var chunks = new List<byte[]>();
        for (var first = 0; first < count;)
        {
            buffer.ResetWrittenCount();
            WriteByte(buffer, kind);
            var countAt = buffer.WrittenCount;
            WriteInt32(buffer, 0);
            if (dimension is { } d) WriteInt32(buffer, d);
            var end = first;
            while (end < count && buffer.WrittenCount < chunkBytes) writeItem(end++);
            BinaryPrimitives.WriteInt32LittleEndian(MemoryMarshal.AsMemory(buffer.WrittenMemory).Span.Slice(countAt, 4), end - first);
            chunks.Add(buffer.WrittenSpan.ToArray());
            first = end;
        }
        return chunks;
    }

    private static void WriteByte(ArrayBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    private static void WriteId(ArrayBufferWriter<byte> buffer, string id)
    {
        var length = Encoding.UTF8.GetByteCount(id);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.GetSpan(2), (ushort)length);
        buffer.Advance(2);
        buffer.Advance(Encoding.UTF8.GetBytes(id, buffer.GetSpan(length)));
    }

    private static void WritePayload(ArrayBufferWriter<byte> buffer, Utf8JsonWriter json, JsonElement? payload)
    {
        if (payload is not { } element)
        {
            WriteInt32(buffer, -1);
            return;
        }
        var lengthAt = buffer.WrittenCount;
        WriteInt32(buffer, 0);
        json.Reset(buffer);
        element.WriteTo(json);
        json.Flush();
        var length = buffer.WrittenCount - lengthAt - 4;
        BinaryPrimitives.WriteInt32LittleEndian(MemoryMarshal.AsMemory(buffer.WrittenMemory).Span.Slice(lengthAt, 4), length);
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public readonly bool AtEnd => _at == _data.Length;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (count < 0 || count > _data.Length - _at) throw new InvalidDataException($"operation runs past the end of its frame at byte {_at}");
            var bytes = _data.Slice(_at, count);
            _at += count;
            return bytes;
        }

        public byte Byte() => Bytes(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public string Id() => Encoding.UTF8.GetString(Bytes(BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))));

        public JsonElement? Payload()
        {
            var length = Int32();
            return length < 0 ? null : JsonSerializer.Deserialize<JsonElement>(Bytes(length));
        }
    }
}
