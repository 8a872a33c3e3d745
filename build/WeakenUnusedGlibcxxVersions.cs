// MSBuild task (compiled by RoslynCodeTaskFactory, see TorchSharpNative.targets) and the ELF logic behind it.
// TorchSharp-cpu 0.107.0's libLibTorchSharp.so is linked against GCC 13's libstdc++ and so requires the
// symbol version GLIBCXX_3.4.32, which older distributions (Debian 12: 3.4.30) lack. The only symbol bound
// to it is std::ios_base_library_init(), a marker GCC 13 emits for <iostream> that is never called.
// Marking that version requirement weak (VER_FLG_WEAK in its vernaux entry) lets the loader accept the
// library. This file is also compiled into the tests, which exercise ElfVersionNeeds directly.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;

namespace EmbeddingService.Build
{
    /// <summary>Patches every libLibTorchSharp.so under the given directories; a no-op where not needed.</summary>
    public sealed class WeakenUnusedGlibcxxVersions : ITask
    {
        public IBuildEngine BuildEngine { get; set; } = null!;
        public ITaskHost HostObject { get; set; } = null!;

        [Required]
        public string[] Directories { get; set; } = Array.Empty<string>();

        public bool Execute()
        {
            try
            {
                var systemLibStdCxx = ElfVersionNeeds.FindSystemLibStdCxx();
                if (systemLibStdCxx is null)
                {
                    Log(MessageImportance.Low, "no system libstdc++.so.6 found; nothing to patch");
                    return true;
                }
                var available = ElfVersionNeeds.ReadDefinedVersions(File.ReadAllBytes(systemLibStdCxx));
                foreach (var dir in Directories.Where(Directory.Exists).Distinct())
                {
                    foreach (var file in Directory.EnumerateFiles(dir, "libLibTorchSharp.so", SearchOption.AllDirectories))
                    {
                        var result = ElfVersionNeeds.WeakenMissingMarkerVersions(file, available);
                        Log(MessageImportance.Normal, $"{file}: {result}");
                    }
                }
                return true;
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                BuildEngine.LogErrorEvent(new BuildErrorEventArgs("ES", "ES0001", null, 0, 0, 0, 0,
                    $"Could not adapt libLibTorchSharp.so to the system libstdc++: {e.Message}", null, nameof(WeakenUnusedGlibcxxVersions)));
                return false;
            }
        }

        private void Log(MessageImportance importance, string message) =>
            BuildEngine.LogMessageEvent(new BuildMessageEventArgs(message, null, nameof(WeakenUnusedGlibcxxVersions), importance));
    }

    /// <summary>Reads and patches the symbol-versioning sections of 64-bit little-endian ELF files.</summary>
    public static class ElfVersionNeeds
    {
        public const ushort VerFlagWeak = 0x2;
        public const string LibStdCxxSoname = "libstdc++.so.6";
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const uint ShtDynsym = 11;

        /// <summary>Symbols known to be version markers that are never called at run time.</summary>
        public static readonly IReadOnlyCollection<string> NeverCalledMarkers = new[] { "_ZSt21ios_base_library_initv" };

        private static readonly string[] LibStdCxxLocations =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6", "/lib/libstdc++.so.6",
        };

        public static string? FindSystemLibStdCxx() => LibStdCxxLocations.FirstOrDefault(File.Exists);

        /// <summary>Version names a shared library defines (its .gnu.version_d).</summary>
        public static HashSet<string> ReadDefinedVersions(byte[] elf)
        {
            var image = new ElfImage(elf);
            var names = new HashSet<string>(StringComparer.Ordinal);
            var verdef = image.Sections.FirstOrDefault(s => s.Type == ShtGnuVerdef);
            if (verdef is null) return names;
            var strtab = image.Sections[(int)verdef.Link];
            long entry = verdef.Offset;
            for (uint i = 0; i < verdef.Info; i++)
            {
                var aux = entry + image.U32(entry + 12);
                names.Add(image.String(strtab, image.U32(aux)));
                var next = image.U32(entry + 16);
                if (next == 0) break;
                entry += next;
            }
            return names;
        }

        /// <summary>
        /// Marks weak every libstdc++ version requirement that <paramref name="available"/> lacks, provided the only
        /// symbols bound to it are never-called markers. Idempotent; returns a one-line description.
        /// </summary>
        public static string WeakenMissingMarkerVersions(string path, ISet<string> available)
        {
            var bytes = File.ReadAllBytes(path);
            var changed = new List<string>();
            var weakAlready = new List<string>();
            var image = new ElfImage(bytes);
            foreach (var need in image.VersionNeeds())
            {
                if (need.File != LibStdCxxSoname || available.Contains(need.Name)) continue;
                if ((need.Flags & VerFlagWeak) != 0) { weakAlready.Add(need.Name); continue; }
                var bound = image.SymbolsBoundTo(need.Index);
                var real = bound.Where(s => !NeverCalledMarkers.Contains(s)).ToList();
                if (real.Count > 0)
                    throw new InvalidDataException(
                        $"{path} needs {need.Name} from {need.File}, which the system libstdc++ lacks, for symbols that are really called ({string.Join(", ", real)}); install a newer libstdc++ (GCC 13+).");
                image.WriteU16(need.FlagsOffset, (ushort)(need.Flags | VerFlagWeak));
                changed.Add(need.Name);
            }
            if (changed.Count == 0)
                return weakAlready.Count == 0 ? "no missing symbol versions; unchanged" : $"already weak: {string.Join(", ", weakAlready)}";
            var temp = path + ".patching";
            File.WriteAllBytes(temp, bytes);
            File.Copy(temp, path, overwrite: true);
            File.Delete(temp);
            return $"marked weak: {string.Join(", ", changed)}";
        }

        /// <summary>The version requirements of a file, for inspection and tests.</summary>
        public static IReadOnlyList<VersionNeed> ReadVersionNeeds(byte[] elf) => new ElfImage(elf).VersionNeeds();

        public sealed class VersionNeed
        {
            public VersionNeed(string file, string name, ushort flags, ushort index, long flagsOffset)
            {
                File = file; Name = name; Flags = flags; Index = index; FlagsOffset = flagsOffset;
            }
            public string File { get; }
            public string Name { get; }
            public ushort Flags { get; }
            public ushort Index { get; }
            public long FlagsOffset { get; }
        }

        private sealed class Section
        {
            public Section(uint type, long offset, long size, uint link, uint info, long entrySize)
            {
                Type = type; Offset = offset; Size = size; Link = link; Info = info; EntrySize = entrySize;
            }
            public uint Type { get; }
            public long Offset { get; }
            public long Size { get; }
            public uint Link { get; }
            public uint Info { get; }
            public long EntrySize { get; }
        }

        private sealed class ElfImage
        {
            private readonly byte[] _data;
            public IReadOnlyList<Section> Sections { get; }

            public ElfImage(byte[] data)
            {
                _data = data;
                if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
                    throw new InvalidDataException("not an ELF file");
                if (data[4] != 2 || data[5] != 1)
                    throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
                var shoff = (long)U64(0x28);
                int shentsize = U16(0x3A), shnum = U16(0x3C);
                if (shoff <= 0 || shnum == 0 || shoff + (long)shentsize * shnum > data.Length)
                    throw new InvalidDataException("ELF section header table missing or truncated");
                var sections = new List<Section>(shnum);
                for (var i = 0; i < shnum; i++)
                {
                    var h = shoff + (long)i * shentsize;
                    var s = new Section(U32(h + 4), (long)U64(h + 0x18), (long)U64(h + 0x20), U32(h + 0x28), U32(h + 0x2C), (long)U64(h + 0x38));
                    if (s.Type != 8 /* NOBITS */ && s.Offset + s.Size > data.Length)
                        throw new InvalidDataException($"ELF section {i} extends past the end of the file");
                    sections.Add(s);
                }
                Sections = sections;
            }

            public List<VersionNeed> VersionNeeds()
            {
                var result = new List<VersionNeed>();
                var verneed = Sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
                if (verneed is null) return result;
                var strtab = Sections[(int)verneed.Link];
                long entry = verneed.Offset;
                for (uint i = 0; i < verneed.Info; i++)
                {
                    var file = String(strtab, U32(entry + 4));
                    int count = U16(entry + 2);
                    long aux = entry + U32(entry + 8);
                    for (var j = 0; j < count; j++)
                    {
                        result.Add(new VersionNeed(file, String(strtab, U32(aux + 8)), U16(aux + 4), U16(aux + 6), aux + 4));
                        var nextAux = U32(aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    var next = U32(entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
                return result;
            }

            public List<string> SymbolsBoundTo(ushort versionIndex)
            {
                var names = new List<string>();
                var versym = Sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
                var dynsym = Sections.FirstOrDefault(s => s.Type == ShtDynsym);
                if (versym is null || dynsym is null) return names;
                var strtab = Sections[(int)dynsym.Link];
                var count = dynsym.Size / dynsym.EntrySize;
                for (long i = 0; i < count; i++)
                {
                    if ((U16(versym.Offset + 2 * i) & 0x7fff) != versionIndex) continue;
                    names.Add(String(strtab, U32(dynsym.Offset + i * dynsym.EntrySize)));
                }
                return names;
            }

            public string String(Section table, uint offset)
            {
                var start = table.Offset + offset;
                var end = start;
                while (end < table.Offset + table.Size && _data[end] != 0) end++;
                return Encoding.ASCII.GetString(_data, (int)start, (int)(end - start));
            }

            public ushort U16(long at) => BitConverter.ToUInt16(_data, checked((int)at));
            public uint U32(long at) => BitConverter.ToUInt32(_data, checked((int)at));
            private ulong U64(long at) => BitConverter.ToUInt64(_data, checked((int)at));
            public void WriteU16(long at, ushort value) { _data[at] = (byte)value; _data[at + 1] = (byte)(value >> 8); }
        }
    }
}
