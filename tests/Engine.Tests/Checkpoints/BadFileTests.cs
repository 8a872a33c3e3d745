using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using EmbeddingService.Engine.Checkpoints;
using EmbeddingService.Engine.Runtime;

namespace EmbeddingService.Engine.Tests.Checkpoints;

public sealed class BadFileTests : IDisposable
{
    private static readonly CheckpointLoadOptions Options = new() { NumHeads = 3 };
    private readonly TemporaryFolder _folder = new();

    public BadFileTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void MissingPath() => AssertRejected(Path.Combine(_folder.Path, "nothing.pth"), "does not exist");

    [Fact]
    public void EmptyFile() => AssertRejected(Write("empty.pth", []), "empty file");

    [Fact]
    public void RandomBytes()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        bytes[0] = 0x13;
        AssertRejected(Write("random.safetensors", bytes), "neither a torch.save zip archive nor a safetensors file");
    }

    [Fact]
    public void TextFile() =>
        AssertRejected(Write("notes.pth", Encoding.UTF8.GetBytes("These are not the weights you are looking for.\n")), "neither a torch.save zip archive nor a safetensors file");

    [Fact]
    public void LegacyPickle() => AssertRejected(Write("legacy.pth", [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20]), "legacy torch.save format");

    [Fact]
    public void TruncatedPth()
    {
        var bytes = File.ReadAllBytes(Fixtures.Pth("tiny"));
        AssertRejected(Write("truncated.pth", bytes[..(bytes.Length / 2)]), "not a readable zip file, most likely truncated");
    }

    [Fact]
    public void ZipThatIsNotATorchSave()
    {
        var path = Path.Combine(_folder.Path, "archive.pth");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("readme.txt").Open());
            writer.Write("hello");
        }
        AssertRejected(path, "has no data.pkl entry");
    }

    [Fact]
    public void ZipWithACorruptPickle()
    {
        var path = Path.Combine(_folder.Path, "corrupt.pth");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var stream = archive.CreateEntry("archive/data.pkl").Open();
            stream.Write([0x80, 0x02, 0xFF, 0xFE, 0x00]);
        }
        AssertRejected(path, "could not be read");
    }

    [Fact]
    public void TruncatedSafeTensorsData()
    {
        var bytes = File.ReadAllBytes(Fixtures.SafeTensors("tiny"));
        AssertRejected(Write("truncated.safetensors", bytes[..(bytes.Length - 100)]), "past the end of the data section");
    }

    [Fact]
    public void SafeTensorsTruncatedInsideTheHeader()
    {
        var bytes = File.ReadAllBytes(Fixtures.SafeTensors("tiny"));
        AssertRejected(Write("truncated.safetensors", bytes[..64]), "it is truncated");
    }

    [Fact]
    public void SafeTensorsOffsetsPastTheEnd() =>
        AssertRejected(
            WriteSafeTensors("offsets.safetensors", """{"cls_token":{"dtype":"F32","shape":[1,1,96],"data_offsets":[0,384]}}""", dataBytes: 100),
            "data_offsets [0, 384] past the end of the data section (100 bytes)");

    [Fact]
    public void SafeTensorsOffsetsThatDisagreeWithTheShape() =>
        AssertRejected(
            WriteSafeTensors("mismatch.safetensors", """{"cls_token":{"dtype":"F32","shape":[1,1,96],"data_offsets":[0,200]}}""", dataBytes: 400),
            "needs 384 bytes but data_offsets [0, 200] span 200");

    [Fact]
    public void SafeTensorsWithCorruptJsonHeader() =>
        AssertRejected(WriteSafeTensors("corrupt.safetensors", """{"cls_token": {"dtype": "F32", """, dataBytes: 16), "corrupt JSON header");

    [Fact]
    public void SafeTensorsWithHugeDeclaredHeader()
    {
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue / 2);
        bytes[8] = (byte)'{';
        AssertRejected(Write("huge.safetensors", bytes), "more than the format's limit");
    }

    [Fact]
    public void SafeTensorsWithUnsupportedDType() =>
        AssertRejected(
            WriteSafeTensors("f64.safetensors", """{"cls_token":{"dtype":"F64","shape":[1,1,96],"data_offsets":[0,768]}}""", dataBytes: 768),
            "has dtype F64; only F32, F16, BF16 are supported");

    [Fact]
    public void FolderWithoutHuggingFaceFiles() => AssertRejected(_folder.Path, "lacks config.json and model.safetensors");

    [Fact]
    public void SafeTensorsThatIsNotADinoV2Backbone() =>
        AssertRejected(
            WriteSafeTensors("other.safetensors", """{"fc.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", dataBytes: 16),
            "has no 'cls_token'");

    private static void AssertRejected(string path, string expectedMessagePart)
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointLoader.Load(path, Options));
        Assert.Contains(expectedMessagePart, error.Message);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string WriteSafeTensors(string name, string header, int dataBytes)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        return Write(name, bytes);
    }
}
