using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EmbeddingService.Training.Optimization;

/// <summary>The teacher as an exponential moving average of the student (SSLMetaArch.update_teacher).</summary>
public static class TeacherEma
{
    /// <summary>t ← m·t + (1 − m)·s for every teacher parameter and the student parameter of the same name.</summary>
    public static void Update(IEnumerable<(string name, Parameter parameter)> teacher, IEnumerable<(string name, Parameter parameter)> student, double momentum)
    {
        var studentByName = student.ToDictionary(p => p.name, p => p.parameter);
        var pairs = teacher.Select(t => (t.parameter, Student: studentByName.GetValueOrDefault(t.name), t.name)).ToArray();
        var unmatched = pairs.Where(p => p.Student is null).Select(p => p.name).ToArray();
        if (unmatched.Length > 0 || pairs.Length != studentByName.Count)
            throw new ArgumentException($"teacher and student parameters differ (teacher-only: {string.Join(", ", unmatched)})");

        using var noGrad = no_grad();
        using var m = momentum.ToScalar();
        using var alpha = (1 - momentum).ToScalar();
        foreach (var (parameter, studentParameter, _) in pairs)
            parameter.mul_(m).add_(studentParameter!, alpha);
    }
}
