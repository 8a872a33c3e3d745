using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Checkpoints;

/// <summary>
/// Writes tensors (F32, F16 or BF16, kept in their own type) to a .safetensors file. The file is written
/// beside the target and moved into place, so a crash never leaves a half-written checkpoint under the name.
/// </summary>
public static class SafeTensorsWriter
{
    // The format asks for the data section to start 8-byte aligned; the header is padded with spaces.
    private const int Alignment = 8;

    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            if (SafeTensorsDTypes.NameOf(tensors[name].dtype) is null)
                throw new ArgumentException($"Tensor '{name}' has dtype {tensors[name].dtype}; safetensors output supports {string.Join(", ", SafeTensorsDTypes.Names)}.", nameof(tensors));
        }

        var header = BuildHeader(names, tensors, metadata);
        var temporary = path + ".tmp";
        try
        {
            using (var stream = File.Create(temporary))
            {
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                stream.Write(header);
                foreach (var name in names)
                {
                    using var scope = NewDisposeScope();
                    stream.Write(tensors[name].detach().cpu().contiguous().bytes);
                }
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<string> names, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in names)
            {
                var tensor = tensors[name];
                var byteLength = tensor.numel() * SafeTensorsDTypes.ElementSize(tensor.dtype);
                json.WriteStartObject(name);
                json.WriteString("dtype", SafeTensorsDTypes.NameOf(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (var dim in tensor.shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + byteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += byteLength;
            }
            json.WriteEndObject();
        }
        var padding = (Alignment - (int)(buffer.Length % Alignment)) % Alignment;
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }
}
