using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace EmbeddingService.Engine.Onnx;

/// <summary>
/// Writes an ONNX model node by node: float initializers taken from tensors, int64 constants, nodes with generated
/// output names, and the graph's inputs and outputs (a string dimension is symbolic).
/// </summary>
internal sealed class OnnxGraphBuilder(string name)
{
    private readonly GraphProto _graph = new() { Name = name };
    private int _nodes;

    /// <summary>A float32 initializer holding the tensor's values (copied, in its own shape).</summary>
    public string Weight(string weightName, Tensor values)
    {
        using var contiguous = values.detach().to(float32).cpu().contiguous();
        var proto = new TensorProto { Name = weightName, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(contiguous.shape);
        proto.RawData = ByteString.CopyFrom(TensorMemory.AsBytes(contiguous));
        _graph.Initializer.Add(proto);
        return weightName;
    }

    /// <summary>A 1-D int64 initializer (shapes, axes).</summary>
    public string Int64s(string constantName, params long[] values)
    {
        var proto = new TensorProto { Name = constantName, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        _graph.Initializer.Add(proto);
        return constantName;
    }

    /// <summary>One node of the default domain with one output; returns the output's name.</summary>
    public string Op(string opType, IEnumerable<string> inputs, params OnnxAttribute[] attributes) =>
        Node(opType, "", inputs, 1, attributes)[0];

    /// <summary>A node of any domain; an empty input name is an omitted optional input. Returns its output names.</summary>
    public string[] Node(string opType, string domain, IEnumerable<string> inputs, int outputs, params OnnxAttribute[] attributes)
    {
        var node = new NodeProto { OpType = opType, Domain = domain, Name = $"{opType}_{_nodes}" };
        node.Input.AddRange(inputs);
        var names = Enumerable.Range(0, outputs).Select(i => $"{opType}_{_nodes}_{i}").ToArray();
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes.Select(attribute => attribute.ToProto()));
        _graph.Node.Add(node);
        _nodes++;
        return names;
    }

    /// <summary>Makes a node output a graph output under another name (its consumers follow the rename).</summary>
    public void Output(string producedName, string outputName, params object[] dims)
    {
        foreach (var node in _graph.Node)
        {
            for (var i = 0; i < node.Output.Count; i++)
                if (node.Output[i] == producedName) node.Output[i] = outputName;
            for (var i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == producedName) node.Input[i] = outputName;
        }
        _graph.Output.Add(FloatValue(outputName, dims));
    }

    public string Input(string inputName, params object[] dims)
    {
        _graph.Input.Add(FloatValue(inputName, dims));
        return inputName;
    }

    /// <summary>The serialised model: IR 9, ONNX opset 17 and Microsoft's contrib operators.</summary>
    public byte[] ToModelBytes()
    {
        var model = new ModelProto { IrVersion = 9, Graph = _graph, ProducerName = "EmbeddingService" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        return model.ToByteArray();
    }

    private static ValueInfoProto FloatValue(string valueName, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"a dimension is a size or a symbol, not {dim.GetType().Name}"),
            });
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape };
        return new ValueInfoProto { Name = valueName, Type = new TypeProto { TensorType = type } };
    }
}

/// <summary>A node attribute: an int, a float or a list of ints.</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);
    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);
    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    public AttributeProto ToProto()
    {
        var proto = new AttributeProto { Name = Name };
        if (Int is { } i) (proto.Type, proto.I) = (AttributeProto.Types.AttributeType.Int, i);
        else if (Float is { } f) (proto.Type, proto.F) = (AttributeProto.Types.AttributeType.Float, f);
        else
        {
            proto.Type = AttributeProto.Types.AttributeType.Ints;
            proto.Ints.AddRange(Ints!);
        }
        return proto;
    }
}
