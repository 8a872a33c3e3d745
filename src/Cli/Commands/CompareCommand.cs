using System.CommandLine;
using System.Text.Json.Nodes;
using EmbeddingService.Engine.IO;

namespace EmbeddingService.Cli.Commands;

/// <summary>embedctl compare: max and mean absolute difference of two float32 .npy arrays of the same shape.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var command = new Command("compare", "Compare two float32 .npy arrays of the same shape; prints one JSON object");
        var first = new Argument<FileInfo>("first");
        var second = new Argument<FileInfo>("second");
        command.Arguments.Add(first);
        command.Arguments.Add(second);
        command.SetAction(result =>
        {
            var a = Npy.Read(result.GetValue(first)!.FullName);
            var b = Npy.Read(result.GetValue(second)!.FullName);
            if (!a.Shape.SequenceEqual(b.Shape))
                throw new InvalidDataException($"shapes differ: [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}]");
            var differences = a.Data.Zip(b.Data, (x, y) => (double)Math.Abs(x - y)).ToArray();
            Console.WriteLine(new JsonObject
            {
                ["command"] = "compare",
                ["shape"] = new JsonArray(a.Shape.Select(d => (JsonNode)d).ToArray()),
                ["max_abs_difference"] = differences.Length == 0 ? 0 : differences.Max(),
                ["mean_abs_difference"] = differences.Length == 0 ? 0 : differences.Average(),
            }.ToJsonString());
            return 0;
        });
        return command;
    }
}
