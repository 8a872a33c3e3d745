using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Text;
using EmbeddingService.Retrieval.Indexing;

namespace EmbeddingService.Retrieval.Embedded;

/// <summary>
/// A collection's HNSW graph saved beside its log (<c>hnsw.graph</c>), so a restart loads it instead of rebuilding.
/// Layout, little-endian: a 64-byte header (magic "EMBHNSW\n", format version, dimension, the log position the graph
/// covers, the next free key, the key count and the byte lengths of the two sections), the key table (per key: u64
/// key, u16 id length, the point id in UTF-8), USearch's own serialisation of the graph, and an XxHash3 of all that.
/// Written to a temp file through a memory map (no second copy of the graph in memory), fsynced, renamed over the old
/// file, directory fsynced: a crash leaves the old file or the new one, never half of one.
/// </summary>
internal static unsafe class GraphFile
{
    public const string FileName = "hnsw.graph";
    public const int CurrentVersion = 1;
    private const string TempSuffix = ".saving";
    private const int HeaderBytes = 64;
    private const int HashBytes = sizeof(ulong);

    private static ReadOnlySpan<byte> Magic => "EMBHNSW\n"u8;

    public static bool Exists(CollectionFiles files) => File.Exists(files.PathOf(FileName));

    /// <summary>Removes the graph file (it no longer matches the log) and a save that a crash interrupted.</summary>
    public static void Delete(CollectionFiles files)
    {
        File.Delete(files.PathOf(FileName));
        DeleteInterruptedSave(files);
    }

    public static void DeleteInterruptedSave(CollectionFiles files) => File.Delete(files.PathOf(FileName + TempSuffix));

    /// <summary>Saves <paramref name="graph"/> as covering the log up to <paramref name="covers"/>, ids through <paramref name="idOf"/>.</summary>
    public static void Save(CollectionFiles files, SlotGraph graph, int dimension, LogPosition covers, Func<int, string> idOf)
    {
        var keys = KeyTable(graph, idOf);
        var graphBytes = graph.Graph.SerializedLength;
        var header = new GraphFileHeader(CurrentVersion, dimension, covers, graph.NextKey, graph.SlotByKey.Count, keys.Length, graphBytes);
        var total = header.FileBytes;
        var path = files.PathOf(FileName);
        var temp = path + TempSuffix;
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                file.SetLength(total);
                using (var map = MemoryMappedFile.CreateFromFile(file, null, total, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true))
                using (var view = map.CreateViewAccessor(0, total))
                {
                    var start = Pointer(view);
                    try
                    {
                        header.Write(new Span<byte>(start, HeaderBytes));
                        keys.CopyTo(new Span<byte>(start + HeaderBytes, keys.Length));
                        graph.Graph.SaveTo(start + HeaderBytes + keys.Length, graphBytes);
                        BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(start + total - HashBytes, HashBytes), Hash(start, total - HashBytes));
                        view.Flush();
                    }
                    finally
                    {
                        view.SafeMemoryMappedViewHandle.ReleasePointer();
                    }
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            DurableFiles.SyncDirectory(files.Directory);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// The header of the saved graph, checked for what can be checked without reading the rest (magic, version, the
    /// file's length); <see cref="InvalidDataException"/> says what is wrong.
    /// </summary>
    public static GraphFileHeader ReadHeader(CollectionFiles files)
    {
        using var file = new FileStream(files.PathOf(FileName), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        Span<byte> bytes = stackalloc byte[HeaderBytes];
        if (file.ReadAtLeast(bytes, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes || !bytes[..Magic.Length].SequenceEqual(Magic))
            throw new InvalidDataException("it is not a graph file (no header)");
        var header = GraphFileHeader.Read(bytes);
        if (header.Version != CurrentVersion) throw new InvalidDataException($"it has format version {header.Version}; this build reads version {CurrentVersion}");
        if (header.KeyTableBytes < 0 || header.GraphBytes < 0 || header.FileBytes != file.Length)
            throw new InvalidDataException($"it is {file.Length} bytes long where its header calls for {header.FileBytes} (truncated or overwritten)");
        return header;
    }

    /// <summary>The graph and its key table (key, point id), once the checksum and the shape are verified.</summary>
    public static (HnswGraph Graph, (ulong Key, string Id)[] Keys) Load(CollectionFiles files, GraphFileHeader header, int dimension, HnswParameters parameters)
    {
        if (header.Dimension != dimension) throw new InvalidDataException($"it holds {header.Dimension}-dim vectors, the collection {dimension}");
        using var file = new FileStream(files.PathOf(FileName), FileMode.Open, FileAccess.Read, FileShare.Read);
        if (file.Length != header.FileBytes) throw new InvalidDataException("it changed while being read");
        using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        var start = Pointer(view);
        try
        {
            var stored = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(start + header.FileBytes - HashBytes, HashBytes));
            if (Hash(start, header.FileBytes - HashBytes) != stored) throw new InvalidDataException("its checksum does not match (damaged)");
            var keys = ReadKeys(new ReadOnlySpan<byte>(start + HeaderBytes, checked((int)header.KeyTableBytes)), header);
            var graph = HnswGraph.Load(dimension, parameters, start + HeaderBytes + header.KeyTableBytes, header.GraphBytes);
            if (graph.Count != keys.Length)
            {
                graph.Dispose();
                throw new InvalidDataException($"its graph holds {graph.Count} points, its key table {keys.Length}");
            }
            return (graph, keys);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    private static byte[] KeyTable(SlotGraph graph, Func<int, string> idOf)
    {
        using var table = new MemoryStream();
        Span<byte> entry = stackalloc byte[sizeof(ulong) + sizeof(ushort) + PointIds.MaxUtf8Bytes * 4];
        foreach (var (key, slot) in graph.SlotByKey)
        {
            var id = idOf(slot);
            BinaryPrimitives.WriteUInt64LittleEndian(entry, key);
            var length = Encoding.UTF8.GetBytes(id, entry[(sizeof(ulong) + sizeof(ushort))..]);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[sizeof(ulong)..], (ushort)length);
            table.Write(entry[..(sizeof(ulong) + sizeof(ushort) + length)]);
        }
        return table.ToArray();
    }

    private static (ulong Key, string Id)[] ReadKeys(ReadOnlySpan<byte> table, GraphFileHeader header)
    {
        var keys = new (ulong, string)[header.KeyCount];
        var at = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (table.Length - at < sizeof(ulong) + sizeof(ushort)) throw new InvalidDataException("its key table is shorter than its key count");
            var key = BinaryPrimitives.ReadUInt64LittleEndian(table[at..]);
            int length = BinaryPrimitives.ReadUInt16LittleEndian(table[(at + sizeof(ulong))..]);
            at += sizeof(ulong) + sizeof(ushort);
            if (key >= header.NextKey || table.Length - at < length) throw new InvalidDataException("its key table is inconsistent");
            keys[i] = (key, Encoding.UTF8.GetString(table.Slice(at, length)));
            at += length;
        }
        if (at != table.Length) throw new InvalidDataException("its key table is longer than its key count");
        return keys;
    }

    private static byte* Pointer(MemoryMappedViewAccessor view)
    {
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        return start + view.PointerOffset;
    }

    private static ulong Hash(byte* start, long length)
    {
        var hash = new XxHash3();
        for (var at = 0L; at < length; at += int.MaxValue)
            hash.Append(new ReadOnlySpan<byte>(start + at, (int)Math.Min(int.MaxValue, length - at)));
        return hash.GetCurrentHashAsUInt64();
    }
}

/// <summary>The fixed header of <see cref="GraphFile"/>.</summary>
internal sealed record GraphFileHeader(int Version, int Dimension, LogPosition Covers, ulong NextKey, long KeyCount, long KeyTableBytes, long GraphBytes)
{
    public long FileBytes => 64 + KeyTableBytes + GraphBytes + sizeof(ulong);

    public void Write(Span<byte> header)
    {
        header.Clear();
        "EMBHNSW\n"u8.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], Dimension);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], Covers.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], Covers.LastFrameCrc);
        BinaryPrimitives.WriteUInt64LittleEndian(header[32..], NextKey);
        BinaryPrimitives.WriteInt64LittleEndian(header[40..], KeyCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[48..], KeyTableBytes);
        BinaryPrimitives.WriteInt64LittleEndian(header[56..], GraphBytes);
    }

    public static GraphFileHeader Read(ReadOnlySpan<byte> header) => new(
        BinaryPrimitives.ReadInt32LittleEndian(header[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(header[12..]),
        new LogPosition(BinaryPrimitives.ReadInt64LittleEndian(header[16..]), BinaryPrimitives.ReadUInt32LittleEndian(header[24..])),
        BinaryPrimitives.ReadUInt64LittleEndian(header[32..]),
        BinaryPrimitives.ReadInt64LittleEndian(header[40..]),
        BinaryPrimitives.ReadInt64LittleEndian(header[48..]),
        BinaryPrimitives.ReadInt64LittleEndian(header[56..]));
}
