package dev.nabla.onnx;

import dev.nabla.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of an ONNX model (ModelProto with its GraphProto) that nabla writes and reads: the
 * nodes in order, the initializers as nabla tensors, the typed inputs and outputs, the opset and
 * the producer and metadata, with the encoding to and from onnx.proto's wire format (field
 * numbers from onnx.proto, ONNX 1.17+).
 */
record OnnxGraph(String name, List<Value> inputs, List<Value> outputs, Map<String, Tensor> initializers,
        List<OnnxNode> nodes, long opset, String producerName, String producerVersion, Map<String, String> metadata) {

    /** ONNX's TensorProto.DataType codes nabla uses. */
    static final int FLOAT = 1, INT32 = 6, INT64 = 7, DOUBLE = 11;

    /** A graph input or output: its name, element type and dims (a Long, or a String for a symbolic dim such as the batch). */
    record Value(String name, int elemType, List<Object> dims) {}

    /** One operator: its type, name, input and output value names and attributes (Long, Float, String, long[], float[] or Tensor). */
    record OnnxNode(String opType, String name, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {}

    // ---- writing ----

    /** The ModelProto bytes (IR version 8, the one of opset 17). */
    byte[] encode() {
        Protobuf.Writer g = new Protobuf.Writer();
        for (OnnxNode n : nodes) g.message(1, node(n));
        g.string(2, name);
        for (var e : initializers.entrySet()) g.message(5, tensor(e.getKey(), e.getValue()));
        for (Value v : inputs) g.message(11, value(v));
        for (Value v : outputs) g.message(12, value(v));
        Protobuf.Writer m = new Protobuf.Writer().varint(1, 8).string(2, producerName).string(3, producerVersion)
                .message(7, g).message(8, new Protobuf.Writer().varint(2, opset));
        for (var e : metadata.entrySet()) m.message(14, new Protobuf.Writer().string(1, e.getKey()).string(2, e.getValue()));
        return m.toByteArray();
    }

    private static Protobuf.Writer node(OnnxNode n) {
        Protobuf.Writer w = new Protobuf.Writer();
        for (String i : n.inputs()) w.bytes(1, i.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String o : n.outputs()) w.string(2, o);
        w.string(3, n.name()).string(4, n.opType());
        for (var a : n.attributes().entrySet()) w.message(5, attribute(a.getKey(), a.getValue()));
        return w;
    }

    private static Protobuf.Writer attribute(String name, Object v) {
        Protobuf.Writer w = new Protobuf.Writer().string(1, name);
        return switch (v) {
            case Float f -> w.fixed32(2, Float.floatToRawIntBits(f)).varint(20, 1);
            case Long i -> w.varint(3, i).varint(20, 2);
            case String s -> w.bytes(4, s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).varint(20, 3);
            case Tensor t -> w.message(5, tensor("", t)).varint(20, 4);
            case float[] fs -> w.packedFloats(7, fs).varint(20, 6);
            case long[] is -> w.packedVarints(8, is).varint(20, 7);
            default -> throw new IllegalArgumentException("attribute " + name + ": no ONNX type for " + v.getClass().getSimpleName());
        };
    }

    private static Protobuf.Writer tensor(String name, Tensor t) {
        Protobuf.Writer w = new Protobuf.Writer().packedVarints(1, Arrays.stream(t.shape()).asLongStream().toArray());
        ByteBuffer b = ByteBuffer.allocate((int) Math.multiplyExact((long) t.numel(), t.dtype().bytes())).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> {
                w.varint(2, FLOAT);
                for (float x : t.toFloatArray()) b.putFloat(x);
            }
            case FLOAT64 -> {
                w.varint(2, DOUBLE);
                for (double x : t.toDoubleArray()) b.putDouble(x);
            }
            case INT64 -> {
                w.varint(2, INT64);
                for (long x : t.toLongArray()) b.putLong(x);
            }
            default -> throw new IllegalArgumentException("tensor " + name + ": no ONNX type for " + t.dtype());
        }
        return w.string(8, name).bytes(9, b.array());
    }

    private static Protobuf.Writer value(Value v) {
        Protobuf.Writer shape = new Protobuf.Writer();
        for (Object d : v.dims()) {
            Protobuf.Writer dim = new Protobuf.Writer();
            if (d instanceof String s) dim.string(2, s);
            else dim.varint(1, (Long) d);
            shape.message(1, dim);
        }
        Protobuf.Writer tensorType = new Protobuf.Writer().varint(1, v.elemType()).message(2, shape);
        return new Protobuf.Writer().string(1, v.name()).message(2, new Protobuf.Writer().message(1, tensorType));
    }

    // ---- reading ----

    /** Decodes a ModelProto; what nabla cannot represent (an unsupported tensor type, external data) is an IllegalArgumentException naming it. */
    static OnnxGraph decode(byte[] bytes) {
        Protobuf.Message m = Protobuf.Message.parse(bytes);
        if (!m.has(7)) throw new IllegalArgumentException("no graph in the file: not an ONNX model");
        long opset = -1;
        for (Protobuf.Message o : m.messages(8)) {
            String domain = o.string(1);
            if (domain.isEmpty() || domain.equals("ai.onnx")) opset = o.varint(2, -1);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Protobuf.Message e : m.messages(14)) metadata.put(e.string(1), e.string(2));
        Protobuf.Message g = m.message(7);
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        for (Protobuf.Message t : g.messages(5)) initializers.put(t.string(8), readTensor(t));
        List<OnnxNode> nodes = new ArrayList<>();
        for (Protobuf.Message n : g.messages(1)) {
            Map<String, Object> attrs = new LinkedHashMap<>();
            for (Protobuf.Message a : n.messages(5)) attrs.put(a.string(1), readAttribute(a));
            String domain = n.string(7);
            String op = domain.isEmpty() || domain.equals("ai.onnx") ? n.string(4) : domain + "." + n.string(4);
            nodes.add(new OnnxNode(op, n.string(3), n.strings(1), n.strings(2), attrs));
        }
        List<Value> inputs = new ArrayList<>();
        for (Protobuf.Message v : g.messages(11)) {
            if (!initializers.containsKey(v.string(1))) inputs.add(readValue(v)); // old exporters list initializers as inputs too
        }
        List<Value> outputs = g.messages(12).stream().map(OnnxGraph::readValue).toList();
        return new OnnxGraph(g.string(2), inputs, outputs, initializers, nodes, opset, m.string(2), m.string(3), metadata);
    }

    private static Value readValue(Protobuf.Message v) {
        Protobuf.Message tensorType = v.message(2).message(1);
        List<Object> dims = new ArrayList<>();
        for (Protobuf.Message d : tensorType.message(2).messages(1)) {
            dims.add(d.has(1) ? (Object) d.varint(1, 0) : d.string(2));
        }
        return new Value(v.string(1), (int) tensorType.varint(1, 0), dims);
    }

    private static Object readAttribute(Protobuf.Message a) {
        int type = (int) a.varint(20, 0);
        return switch (type) {
            case 1 -> a.float32(2, 0);
            case 2 -> a.varint(3, 0);
            case 3 -> a.string(4);
            case 4 -> readTensor(a.message(5));
            case 6 -> {
                long[] bits = a.fixed(7, 4);
                float[] f = new float[bits.length];
                for (int i = 0; i < f.length; i++) f[i] = Float.intBitsToFloat((int) bits[i]);
                yield f;
            }
            case 7 -> a.varints(8);
            default -> "<attribute type " + type + ">"; // graphs, sparse tensors, ...: no op nabla imports uses them
        };
    }

    /** A TensorProto as a nabla tensor: float → FLOAT32, double → FLOAT64, int32/int64 → INT64. */
    static Tensor readTensor(Protobuf.Message t) {
        String name = t.string(8);
        if (t.varint(14, 0) == 1) throw new IllegalArgumentException("tensor " + name + " keeps its data in an external file, which nabla does not read; save the model with its weights inside");
        int[] shape = Arrays.stream(t.varints(1)).mapToInt(Math::toIntExact).toArray();
        int n = Math.toIntExact(Arrays.stream(shape).asLongStream().reduce(1, Math::multiplyExact));
        int type = (int) t.varint(2, 0);
        ByteBuffer raw = t.has(9) ? ByteBuffer.wrap(t.bytes(9)).order(ByteOrder.LITTLE_ENDIAN) : null;
        int width = switch (type) {
            case FLOAT, INT32 -> 4;
            case INT64, DOUBLE -> 8;
            default -> throw new IllegalArgumentException("tensor " + name + " has ONNX data type " + type
                    + "; nabla reads float (1), int32 (6), int64 (7) and double (11)");
        };
        if (raw != null && raw.remaining() != (long) n * width) {
            throw new IllegalArgumentException("tensor " + name + " of shape " + Arrays.toString(shape) + " has " + raw.remaining()
                    + " bytes of data, expected " + (long) n * width);
        }
        long[] values = raw != null ? null : switch (type) {
            case FLOAT -> t.fixed(4, 4);
            case DOUBLE -> t.fixed(10, 8);
            default -> t.varints(type == INT64 ? 7 : 5);
        };
        if (values != null && values.length != n) {
            throw new IllegalArgumentException("tensor " + name + " of shape " + Arrays.toString(shape) + " has " + values.length
                    + " values, expected " + n);
        }
        return switch (type) {
            case FLOAT -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = raw != null ? raw.getFloat() : Float.intBitsToFloat((int) values[i]);
                yield Tensor.of(f, shape);
            }
            case DOUBLE -> {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) d[i] = raw != null ? raw.getDouble() : Double.longBitsToDouble(values[i]);
                yield Tensor.of(d, shape);
            }
            default -> {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) l[i] = raw != null ? (type == INT64 ? raw.getLong() : raw.getInt()) : (type == INT64 ? values[i] : (int) values[i]);
                yield Tensor.of(l, shape);
            }
        };
    }
}
