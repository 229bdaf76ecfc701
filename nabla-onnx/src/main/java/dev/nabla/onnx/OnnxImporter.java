package dev.nabla.onnx;

import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.ConvTranspose2d;
import dev.nabla.nn.ELU;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GELU;
import dev.nabla.nn.GlobalAvgPool2d;
import dev.nabla.nn.Identity;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.LogSoftmax;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Softmax;
import dev.nabla.nn.Tanh;
import dev.nabla.onnx.OnnxGraph.OnnxNode;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns an ONNX graph that is a chain of layer ops (what PyTorch's exporter writes for a
 * Sequential) into a nabla Sequential with the file's weights: each op type has a converter that
 * builds the layer and loads its weights; constants (initializers, Constant and Identity nodes)
 * are folded. To import a new op, write its converter and add one line to {@link #CONVERTERS}.
 */
final class OnnxImporter {
    /** Builds the layer of one node whose data input has shape in (batch dim 1 included); may consume the nodes after it. */
    @FunctionalInterface
    interface Converter {
        Layer convert(OnnxNode n, int[] in, OnnxImporter im);
    }

    private static final Map<String, Converter> CONVERTERS = new LinkedHashMap<>();

    static {
        CONVERTERS.put("Gemm", OnnxImporter::gemm);
        CONVERTERS.put("Gather", OnnxImporter::embedding);
        CONVERTERS.put("MatMul", OnnxImporter::matMul);
        CONVERTERS.put("Conv", OnnxImporter::conv);
        CONVERTERS.put("ConvTranspose", OnnxImporter::convTranspose);
        CONVERTERS.put("BatchNormalization", OnnxImporter::batchNorm);
        CONVERTERS.put("MaxPool", OnnxImporter::maxPool);
        CONVERTERS.put("AveragePool", OnnxImporter::avgPool);
        CONVERTERS.put("GlobalAveragePool", OnnxImporter::globalAvgPool);
        CONVERTERS.put("ReduceMean", OnnxImporter::globalAvgPool);
        CONVERTERS.put("Flatten", (n, in, im) -> im.flatten(n, in));
        CONVERTERS.put("Reshape", (n, in, im) -> im.flatten(n, in));
        CONVERTERS.put("Identity", (n, in, im) -> new Identity());
        CONVERTERS.put("Dropout", (n, in, im) -> new Identity()); // inference form; its ratio is not kept
        CONVERTERS.put("Relu", (n, in, im) -> new ReLU());
        CONVERTERS.put("Sigmoid", (n, in, im) -> new Sigmoid());
        CONVERTERS.put("Tanh", (n, in, im) -> new Tanh());
        CONVERTERS.put("LeakyRelu", (n, in, im) -> new LeakyReLU(im.number(n, "alpha", 0.01)));
        CONVERTERS.put("Elu", (n, in, im) -> new ELU(im.number(n, "alpha", 1.0)));
        CONVERTERS.put("Gelu", (n, in, im) -> new GELU("tanh".equals(n.attributes().getOrDefault("approximate", "none"))));
        CONVERTERS.put("Div", OnnxImporter::erfGelu);
        CONVERTERS.put("Softmax", (n, in, im) -> new Softmax(im.axis(n, in)));
        CONVERTERS.put("LogSoftmax", (n, in, im) -> new LogSoftmax(im.axis(n, in)));
    }

    /** The op types that can be imported, for error messages (with Constant, and Sub/Div as the leading normalization). */
    static Set<String> supported() {
        Set<String> s = new TreeSet<>(CONVERTERS.keySet());
        s.addAll(List.of("Constant", "Sub", "Div"));
        return s;
    }

    private final OnnxGraph graph;
    private final String file;
    private final Map<String, Tensor> constants = new HashMap<>();
    private int next; // index of the next node to read
    private OnnxNode current;

    private OnnxImporter(OnnxGraph graph, String file) {
        this.graph = graph;
        this.file = file;
        constants.putAll(graph.initializers());
    }

    static Onnx.Imported load(OnnxGraph g, String file) {
        return new OnnxImporter(g, file).run();
    }

    private Onnx.Imported run() {
        if (graph.inputs().size() != 1 || graph.outputs().size() != 1) {
            throw new OnnxException(file + ": the graph has " + graph.inputs().size() + " inputs and " + graph.outputs().size()
                    + " outputs; nabla imports a chain of layers with one input and one output");
        }
        OnnxGraph.Value input = graph.inputs().get(0);
        boolean indices = input.elemType() == OnnxGraph.INT64;
        if (input.elemType() != OnnxGraph.FLOAT && !indices) {
            throw new OnnxException(file + ": input " + input.name() + " has ONNX element type " + input.elemType()
                    + "; nabla imports float (1) inputs, or int64 (7) indices read by a leading Gather (an Embedding)");
        }
        List<Object> dims = input.dims();
        if (dims.isEmpty() || dims.subList(1, dims.size()).stream().anyMatch(d -> !(d instanceof Long l) || l <= 0)) {
            throw new OnnxException(file + ": input " + input.name() + " has dims " + dims + "; nabla needs a batch dim then fixed sizes");
        }
        int[] exampleShape = dims.subList(1, dims.size()).stream().mapToInt(d -> Math.toIntExact((Long) d)).toArray();
        int[] shape = new int[dims.size()];
        shape[0] = 1;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);

        String x = input.name();
        List<Layer> layers = new ArrayList<>();
        double[] mean = null, std = null;
        while (next < graph.nodes().size()) {
            OnnxNode n = graph.nodes().get(next++);
            if (foldConstant(n)) continue;
            if (indices && layers.isEmpty() && !n.opType().equals("Gather")) {
                throw new OnnxException(where(n) + " reads the int64 input " + x + "; nabla imports int64 inputs into a Gather on a weight (an Embedding) only");
            }
            int data = n.opType().equals("Gather") ? 1 : 0; // Gather(weight, indices)
            if (n.inputs().size() <= data || !n.inputs().get(data).equals(x)) {
                throw new OnnxException(where(n) + " reads " + n.inputs() + " but the previous layer's output is " + x
                        + "; nabla imports a chain of layers (each op reads the one before and constants)");
            }
            current = n;
            if (layers.isEmpty() && mean == null && n.opType().equals("Sub")) {
                mean = constant(n, 1).toDoubleArray();
            } else if (layers.isEmpty() && std == null && n.opType().equals("Div") && !nextIs("Erf")) { // x/√2 → Erf starts a GELU
                std = constant(n, 1).toDoubleArray();
            } else {
                Converter c = CONVERTERS.get(n.opType());
                if (c == null) {
                    throw new OnnxException(where(n) + ": op " + n.opType() + " is not supported by nabla's ONNX import; supported ops: "
                            + String.join(", ", supported()));
                }
                Layer layer = c.convert(n, shape, this);
                try {
                    shape = layer.outputShape(shape);
                } catch (IllegalArgumentException e) {
                    throw new OnnxException(where(n) + ": " + e.getMessage(), e);
                }
                layers.add(layer);
            }
            x = current.outputs().get(0);
        }
        if (!x.equals(graph.outputs().get(0).name())) {
            throw new OnnxException(file + ": the chain of layers ends in " + x + " but the graph's output is " + graph.outputs().get(0).name());
        }
        Onnx.Normalization norm = null;
        if (mean != null || std != null) {
            int c = mean != null ? mean.length : std.length;
            if (mean == null) mean = new double[c];
            if (std == null) {
                std = new double[c];
                Arrays.fill(std, 1);
            }
            norm = new Onnx.Normalization(mean, std);
        }
        String name = graph.metadata().getOrDefault("name", graph.name());
        return new Onnx.Imported(new Sequential(layers), exampleShape, norm, name, graph.producerName() + " " + graph.producerVersion());
    }

    private boolean nextIs(String op) {
        return next < graph.nodes().size() && graph.nodes().get(next).opType().equals(op);
    }

    /** Records the value of a node computed from constants only (Constant, Identity of a constant); false for any other node. */
    private boolean foldConstant(OnnxNode n) {
        if (n.opType().equals("Constant")) {
            Object v = n.attributes().get("value");
            if (v == null && n.attributes().get("value_ints") instanceof long[] ints) v = Tensor.of(ints, ints.length);
            if (v == null && n.attributes().get("value_floats") instanceof float[] fs) v = Tensor.of(fs, fs.length);
            if (v == null && n.attributes().get("value_int") instanceof Long i) v = Tensor.of(new long[] {i});
            if (v == null && n.attributes().get("value_float") instanceof Float f) v = Tensor.of(new float[] {f});
            if (!(v instanceof Tensor t)) throw new OnnxException(where(n) + ": a Constant with attributes " + n.attributes().keySet() + " is not supported");
            constants.put(n.outputs().get(0), t);
            return true;
        }
        if (n.opType().equals("Identity") && constants.containsKey(n.inputs().get(0))) {
            constants.put(n.outputs().get(0), constants.get(n.inputs().get(0)));
            return true;
        }
        return false;
    }

    private String where(OnnxNode n) {
        return file + ": node " + (n.name().isEmpty() ? "#" + next : n.name()) + " (" + n.opType() + ")";
    }

    // ---- reading a node ----

    /** Input i of node n, which must be a constant (a weight); null when it is absent and optional. */
    private Tensor constant(OnnxNode n, int i) {
        if (i >= n.inputs().size() || n.inputs().get(i).isEmpty()) return null;
        Tensor t = constants.get(n.inputs().get(i));
        if (t == null) throw new OnnxException(where(n) + ": input " + i + " (" + n.inputs().get(i) + ") must be a constant (weights); nabla imports fixed weights only");
        return t.dtype() == DType.FLOAT64 ? t.toType(DType.FLOAT32) : t;
    }

    private Tensor required(OnnxNode n, int i, String what) {
        Tensor t = constant(n, i);
        if (t == null) throw new OnnxException(where(n) + ": the " + what + " (input " + i + ") is missing");
        return t;
    }

    /** Attribute key of n if present, checked to be of the given class (the ONNX type named in the error). */
    private <T> T attribute(OnnxNode n, String key, Class<T> type, String onnxType) {
        Object v = n.attributes().get(key);
        if (v != null && !type.isInstance(v)) throw new OnnxException(where(n) + ": attribute " + key + " must be of ONNX type " + onnxType + ", found " + v);
        return type.cast(v);
    }

    private long integer(OnnxNode n, String key, long dflt) {
        Long v = attribute(n, key, Long.class, "INT");
        return v == null ? dflt : v;
    }

    private double number(OnnxNode n, String key, double dflt) {
        Float v = attribute(n, key, Float.class, "FLOAT");
        return v == null ? dflt : v;
    }

    /** An INTS attribute as ints, or dflt when absent. */
    private int[] ints(OnnxNode n, String key, int[] dflt) {
        long[] v = attribute(n, key, long[].class, "INTS");
        return v == null ? dflt : Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
    }

    private void expect(OnnxNode n, boolean ok, String what) {
        if (!ok) throw new OnnxException(where(n) + ": " + what + " is not supported by nabla's ONNX import");
    }

    private int[] kernel(OnnxNode n) {
        int[] k = ints(n, "kernel_shape", null);
        expect(n, k != null && k.length == 2, "pooling with kernel_shape " + (k == null ? "missing" : Arrays.toString(k)) + " (nabla pools 2-D windows)");
        return k;
    }

    private void checkNoAutoPad(OnnxNode n) {
        Object p = n.attributes().getOrDefault("auto_pad", "NOTSET");
        expect(n, p.equals("NOTSET") || p.equals("VALID") && Arrays.stream(ints(n, "pads", new int[4])).allMatch(v -> v == 0), "auto_pad " + p);
    }

    /** ONNX pads [top, left, bottom, right] as nabla's symmetric {height, width}. */
    private int[] symmetricPads(OnnxNode n) {
        int[] p = ints(n, "pads", new int[4]);
        expect(n, p.length == 4 && p[0] == p[2] && p[1] == p[3], "asymmetric padding " + Arrays.toString(p));
        return new int[] {p[0], p[1]};
    }

    private int axis(OnnxNode n, int[] in) {
        long a = integer(n, "axis", -1);
        return (int) (a < 0 ? a : a - in.length); // negative, so that it holds with or without the batch dim
    }

    /** Loads state into layer's own parameters and buffers (names as in its state dict), checking shapes. */
    private <L extends Layer> L load(OnnxNode n, L layer, Map<String, Tensor> state) {
        try {
            var r = layer.loadStateDict(state, false);
            expect(n, r.unexpectedKeys().isEmpty() && r.missingKeys().stream().allMatch(k -> k.equals("num_batches_tracked")),
                    "weights " + r.unexpectedKeys() + r.missingKeys());
        } catch (IllegalArgumentException e) {
            throw new OnnxException(where(n) + ": " + e.getMessage(), e);
        }
        return layer;
    }

    private static Map<String, Tensor> weights(Tensor w, Tensor b) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weight", w);
        if (b != null) m.put("bias", b);
        return m;
    }

    /** The next node, if it reads only the current node's output and constants and has type op. */
    private OnnxNode peek(String op) {
        while (next < graph.nodes().size() && foldConstant(graph.nodes().get(next))) next++;
        if (next >= graph.nodes().size()) return null;
        OnnxNode n = graph.nodes().get(next);
        return n.opType().equals(op) && n.inputs().contains(current.outputs().get(0)) ? n : null;
    }

    // ---- converters ----

    private static Layer gemm(OnnxNode n, int[] in, OnnxImporter im) {
        im.expect(n, im.integer(n, "transA", 0) == 0 && im.number(n, "alpha", 1) == 1 && im.number(n, "beta", 1) == 1, "Gemm with transA or alpha/beta ≠ 1");
        im.expect(n, in.length == 2, "Gemm on an input of rank " + in.length);
        Tensor w = im.required(n, 1, "weight");
        if (im.integer(n, "transB", 0) == 0) w = w.t().contiguous();
        return im.linear(n, w, im.constant(n, 2));
    }

    /** MatMul by a constant [in, out], with a following Add of a constant [out] as the bias. */
    private static Layer matMul(OnnxNode n, int[] in, OnnxImporter im) {
        Tensor w = im.required(n, 1, "weight");
        im.expect(n, w.shape().length == 2, "MatMul by a weight of rank " + w.shape().length);
        Tensor b = null;
        OnnxNode add = im.peek("Add");
        if (add != null) {
            String other = add.inputs().get(0).equals(n.outputs().get(0)) ? add.inputs().get(1) : add.inputs().get(0);
            Tensor c = im.constants.get(other);
            if (c != null && c.numel() == w.shape()[1]) {
                b = c.dtype() == DType.FLOAT64 ? c.toType(DType.FLOAT32) : c;
                im.next++;
                im.current = add;
            }
        }
        return im.linear(n, w.t().contiguous(), b);
    }

    /** Gather(weight, indices) along axis 0 of a constant [rows, dim], the graph's first op: an Embedding with those weights. */
    private static Layer embedding(OnnxNode n, int[] in, OnnxImporter im) {
        OnnxGraph.Value input = im.graph.inputs().get(0);
        im.expect(n, n.inputs().get(1).equals(input.name()) && input.elemType() == OnnxGraph.INT64,
                "Gather other than on the graph's int64 input (nabla imports it as a leading Embedding)");
        im.expect(n, im.integer(n, "axis", 0) == 0, "Gather along axis " + im.integer(n, "axis", 0) + " (nabla imports axis 0, an Embedding)");
        Tensor w = im.required(n, 0, "weight");
        im.expect(n, w.shape().length == 2 && w.dtype() == DType.FLOAT32, "Gather from a " + w.dtype() + " tensor of shape "
                + Arrays.toString(w.shape()) + " (an Embedding's weight is a float matrix)");
        return im.load(n, new Embedding(w.shape()[0], w.shape()[1]), Map.of("weight", w));
    }

    private Layer linear(OnnxNode n, Tensor w, Tensor b) {
        int out = w.shape()[0], in = w.shape()[1];
        return load(n, new Linear(in, out, b != null), weights(w, b == null ? null : b.reshape(out)));
    }

    private static Layer conv(OnnxNode n, int[] in, OnnxImporter im) {
        im.checkNoAutoPad(n);
        Tensor w = im.required(n, 1, "weight");
        int[] ws = w.shape();
        im.expect(n, ws.length == 4, "a " + (ws.length - 2) + "-D convolution");
        int groups = (int) im.integer(n, "group", 1);
        Conv2d layer = Conv2d.builder(ws[1] * groups, ws[0], ws[2], ws[3]).stride(im.ints(n, "strides", new int[] {1}))
                .dilation(im.ints(n, "dilations", new int[] {1})).groups(groups).padding(im.symmetricPads(n))
                .bias(im.constant(n, 2) != null).build();
        return im.load(n, layer, weights(w, im.constant(n, 2)));
    }

    private static Layer convTranspose(OnnxNode n, int[] in, OnnxImporter im) {
        im.checkNoAutoPad(n);
        im.expect(n, !n.attributes().containsKey("output_shape"), "ConvTranspose's output_shape");
        Tensor w = im.required(n, 1, "weight");
        int[] ws = w.shape();
        im.expect(n, ws.length == 4, "a " + (ws.length - 2) + "-D transposed convolution");
        int groups = (int) im.integer(n, "group", 1);
        ConvTranspose2d layer = ConvTranspose2d.builder(ws[0], ws[1] * groups, ws[2], ws[3]).stride(im.ints(n, "strides", new int[] {1}))
                .dilation(im.ints(n, "dilations", new int[] {1})).groups(groups).padding(im.symmetricPads(n))
                .outputPadding(im.ints(n, "output_padding", new int[] {0})).bias(im.constant(n, 2) != null).build();
        return im.load(n, layer, weights(w, im.constant(n, 2)));
    }

    private static Layer batchNorm(OnnxNode n, int[] in, OnnxImporter im) {
        im.expect(n, im.integer(n, "training_mode", 0) == 0, "BatchNormalization in training mode");
        Tensor scale = im.required(n, 1, "scale");
        int c = scale.numel();
        // ONNX's momentum weighs the old running value; PyTorch's (and nabla's) the new one
        double eps = im.number(n, "epsilon", 1e-5), momentum = 1 - im.number(n, "momentum", 0.9);
        momentum = Math.round(momentum * 1e6) / 1e6; // undo float32 rounding: 0.9f → 0.1
        BatchNorm layer = in.length == 4 ? new BatchNorm2d(c, eps, momentum, true) : new BatchNorm1d(c, eps, momentum, true);
        Map<String, Tensor> state = weights(scale, im.required(n, 2, "bias"));
        state.put("running_mean", im.required(n, 3, "mean"));
        state.put("running_var", im.required(n, 4, "variance"));
        return im.load(n, layer, state);
    }

    private static Layer maxPool(OnnxNode n, int[] in, OnnxImporter im) {
        im.checkNoAutoPad(n);
        im.expect(n, n.outputs().size() == 1 || n.outputs().get(1).isEmpty(), "MaxPool's indices output");
        im.expect(n, Arrays.stream(im.ints(n, "dilations", new int[] {1})).allMatch(d -> d == 1), "dilated max pooling");
        int[] k = im.kernel(n);
        return new MaxPool2d(k, im.ints(n, "strides", new int[] {1}), im.symmetricPads(n)).ceilMode(im.integer(n, "ceil_mode", 0) == 1);
    }

    private static Layer avgPool(OnnxNode n, int[] in, OnnxImporter im) {
        im.checkNoAutoPad(n);
        int[] k = im.kernel(n);
        return new AvgPool2d(k, im.ints(n, "strides", new int[] {1}), im.symmetricPads(n), im.integer(n, "count_include_pad", 0) == 1)
                .ceilMode(im.integer(n, "ceil_mode", 0) == 1);
    }

    /**
     * GlobalAveragePool, or ReduceMean over the last two dims (PyTorch's AdaptiveAvgPool2d(1)),
     * as nabla's GlobalAvgPool2d, which gives [N, C]: with the 1×1 dims kept, a flatten to
     * [N, C] must follow, and is taken into the layer.
     */
    private static Layer globalAvgPool(OnnxNode n, int[] in, OnnxImporter im) {
        im.expect(n, in.length == 4, n.opType() + " on an input of rank " + in.length);
        if (n.opType().equals("ReduceMean")) {
            Tensor axesInput = im.constant(n, 1);
            long[] axes = axesInput != null ? axesInput.toLongArray() : im.attribute(n, "axes", long[].class, "INTS");
            long[] norm = axes == null ? new long[0] : Arrays.stream(axes).map(a -> a < 0 ? a + in.length : a).sorted().toArray();
            im.expect(n, Arrays.equals(norm, new long[] {2, 3}), "ReduceMean over axes " + Arrays.toString(axes) + " (nabla imports the mean over height and width)");
            if (im.integer(n, "keepdims", 1) == 0) return new GlobalAvgPool2d();
        }
        OnnxNode f = im.peek("Flatten") != null ? im.peek("Flatten") : im.peek("Reshape");
        if (f == null) {
            throw new OnnxException(im.where(n) + ": GlobalAveragePool must be followed by a Flatten or Reshape to [batch, channels] "
                    + "(nabla's GlobalAvgPool2d drops the 1×1 dims)");
        }
        im.next++;
        im.current = f;
        im.expect(f, im.flatten(f, new int[] {in[0], in[1], 1, 1}) instanceof Flatten, "this reshape after GlobalAveragePool");
        return new GlobalAvgPool2d();
    }

    /**
     * GELU as exporters spell it before opset 20: x/√2 → Erf → +1 → ·x → ·0.5 (the last two
     * multiplications in either order); any other Div is unsupported.
     */
    private static Layer erfGelu(OnnxNode n, int[] in, OnnxImporter im) {
        String x = n.inputs().get(0);
        Tensor c = n.inputs().size() > 1 ? im.constants.get(n.inputs().get(1)) : null;
        im.expect(n, c != null && c.numel() == 1 && Math.abs(c.toDoubleArray()[0] - Math.sqrt(2)) < 1e-6,
                "Div (other than a leading normalization or GELU's x/√2)");
        OnnxNode erf = im.follow(n, "Erf");
        OnnxNode add = im.follow(n, "Add");
        im.expect(add, im.isConstant(otherInput(add, erf), 1), "GELU's erf + 1 with another constant");
        OnnxNode before = add;
        for (int i = 0; i < 2; i++) {
            OnnxNode mul = im.follow(n, "Mul");
            String other = otherInput(mul, before);
            im.expect(mul, other.equals(x) || im.isConstant(other, 0.5), "GELU's products with an operand other than x or 0.5");
            before = mul;
        }
        return new GELU();
    }

    /** Consumes the next node, which must be op reading the current one (a step of a pattern started at n). */
    private OnnxNode follow(OnnxNode n, String op) {
        OnnxNode f = peek(op);
        if (f == null) throw new OnnxException(where(n) + ": expected " + op + " next (the GELU pattern), found " + (next < graph.nodes().size() ? graph.nodes().get(next).opType() : "the end"));
        next++;
        current = f;
        return f;
    }

    /** The input of binary node n that is not the output of node before. */
    private static String otherInput(OnnxNode n, OnnxNode before) {
        return n.inputs().get(0).equals(before.outputs().get(0)) ? n.inputs().get(1) : n.inputs().get(0);
    }

    private boolean isConstant(String name, double value) {
        Tensor t = constants.get(name);
        return t != null && t.numel() == 1 && t.toDoubleArray()[0] == value;
    }

    /** Flatten with axis 1, or a Reshape to [batch, everything else]: nabla's Flatten(). */
    private Layer flatten(OnnxNode n, int[] in) {
        long flat = 1;
        for (int d = 1; d < in.length; d++) flat *= in[d];
        if (n.opType().equals("Flatten")) {
            long axis = integer(n, "axis", 1);
            expect(n, axis == 1 || axis == 1 - in.length, "Flatten with axis " + axis + " (nabla keeps the batch dim: axis 1)");
            return new Flatten();
        }
        long[] target = required(n, 1, "shape").toLongArray();
        boolean batchKept = target.length == 2 && (target[1] == flat || target[1] == -1 && target[0] >= 0); // [-1 | 0 | B, flat] or [0 | B, -1]
        expect(n, batchKept, "Reshape to " + Arrays.toString(target) + " of an input of shape " + Arrays.toString(in)
                + " (nabla imports a reshape to [batch, " + flat + "])");
        return new Flatten();
    }
}
