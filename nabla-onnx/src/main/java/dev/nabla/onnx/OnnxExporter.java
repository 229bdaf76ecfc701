package dev.nabla.onnx;

import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.ConvLayer;
import dev.nabla.nn.ConvTranspose2d;
import dev.nabla.nn.Dropout;
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
import dev.nabla.nn.PoolWindow;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a nabla network into an ONNX graph, layer by layer: each layer type has a converter that
 * emits its ONNX nodes (and initializers, named by the layer's state-dict names as PyTorch's
 * exporter does). To export a new layer type, write its converter and add one line to
 * {@link #CONVERTERS}.
 */
final class OnnxExporter {
    /** The ONNX opset written: 17, which every current runtime reads (GELU is spelled with Erf, as PyTorch does at 17). */
    static final long OPSET = 17;

    /** Emits the ONNX nodes of one layer: reads value x of shape in (batch dim 1 included), returns the name of its output. */
    @FunctionalInterface
    interface Converter<L extends Layer> {
        String convert(L layer, String x, int[] in, OnnxExporter g);
    }

    private record Entry<L extends Layer>(Class<L> type, Converter<L> converter) {}

    private static final List<Entry<?>> CONVERTERS = List.of(
            new Entry<>(Linear.class, OnnxExporter::linear),
            new Entry<>(Embedding.class, OnnxExporter::embedding),
            new Entry<>(Conv2d.class, OnnxExporter::conv2d),
            new Entry<>(ConvTranspose2d.class, OnnxExporter::convTranspose2d),
            new Entry<>(BatchNorm.class, OnnxExporter::batchNorm),
            new Entry<>(MaxPool2d.class, (l, x, in, g) -> g.node("MaxPool", x, poolAttributes(l.window(), l.window().padding()))),
            new Entry<>(AvgPool2d.class, OnnxExporter::avgPool),
            new Entry<>(GlobalAvgPool2d.class, (l, x, in, g) -> g.node("Flatten", g.node("GlobalAveragePool", x, Map.of()), Map.of("axis", 1L))),
            new Entry<>(Flatten.class, OnnxExporter::flatten),
            new Entry<>(Dropout.class, (l, x, in, g) -> g.node("Identity", x, Map.of())),
            new Entry<>(Identity.class, (l, x, in, g) -> g.node("Identity", x, Map.of())),
            new Entry<>(Sigmoid.class, (l, x, in, g) -> g.node("Sigmoid", x, Map.of())),
            new Entry<>(Tanh.class, (l, x, in, g) -> g.node("Tanh", x, Map.of())),
            new Entry<>(ReLU.class, (l, x, in, g) -> g.node("Relu", x, Map.of())),
            new Entry<>(LeakyReLU.class, (l, x, in, g) -> g.node("LeakyRelu", x, Map.of("alpha", (float) l.negativeSlope()))),
            new Entry<>(ELU.class, (l, x, in, g) -> g.node("Elu", x, Map.of("alpha", (float) l.alpha()))),
            new Entry<>(GELU.class, OnnxExporter::gelu),
            new Entry<>(Softmax.class, (l, x, in, g) -> g.node("Softmax", x, Map.of("axis", (long) l.dim()))),
            new Entry<>(LogSoftmax.class, (l, x, in, g) -> g.node("LogSoftmax", x, Map.of("axis", (long) l.dim()))));

    /** The layer types that can be exported, for error messages. */
    static List<String> supported() {
        return CONVERTERS.stream().map(e -> e.type().getSimpleName()).toList();
    }

    private final List<OnnxNode> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private String scope = "";
    private int counter;

    private OnnxExporter() {}

    /** The ONNX graph of model for inputs of one example's shape (without the batch dim), with an optional leading normalization. */
    static OnnxGraph export(Layer model, int[] inputShape, Onnx.ExportOptions options, String version) {
        OnnxExporter g = new OnnxExporter();
        int[] shape = new int[inputShape.length + 1];
        shape[0] = 1;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        String x = "input";
        List<Map.Entry<String, Layer>> layers = new ArrayList<>();
        flatten("", model, layers);
        boolean indices = checkEmbeddings(layers, options);
        if (options.normalization() != null) x = g.normalize(x, shape, options.normalization());
        for (int i = 0; i < layers.size(); i++) {
            String path = layers.get(i).getKey();
            Layer layer = layers.get(i).getValue();
            g.scope = path.isEmpty() ? layer.typeName() : path;
            x = g.convert(layer, x, shape, path, i);
            shape = layer.outputShape(shape);
        }
        // the graph's output gets a stable name: rename the last node's output
        OnnxNode last = g.nodes.isEmpty() ? null : g.nodes.get(g.nodes.size() - 1);
        if (last == null || !last.outputs().get(0).equals(x)) {
            g.node("Identity", x, Map.of());
            last = g.nodes.get(g.nodes.size() - 1);
        }
        g.nodes.set(g.nodes.size() - 1, new OnnxNode(last.opType(), last.name(), last.inputs(), List.of("output"), last.attributes()));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("name", options.modelName());
        metadata.put("nabla_version", version);
        if (options.normalization() != null) {
            metadata.put("normalization_mean", Arrays.toString(options.normalization().mean()));
            metadata.put("normalization_std", Arrays.toString(options.normalization().std()));
        }
        return new OnnxGraph(options.modelName(), List.of(value("input", indices ? OnnxGraph.INT64 : OnnxGraph.FLOAT, inputShape)),
                List.of(value("output", OnnxGraph.FLOAT, Arrays.copyOfRange(shape, 1, shape.length))),
                g.initializers, g.nodes, OPSET, "nabla", version, metadata);
    }

    private static OnnxGraph.Value value(String name, int elemType, int[] exampleShape) {
        List<Object> dims = new ArrayList<>();
        dims.add("batch");
        for (int d : exampleShape) dims.add((long) d);
        return new OnnxGraph.Value(name, elemType, dims);
    }

    /**
     * True when the model starts with an Embedding, whose graph input is then int64 indices; an
     * Embedding anywhere else (it would read float values) or under a normalization is an error.
     */
    private static boolean checkEmbeddings(List<Map.Entry<String, Layer>> layers, Onnx.ExportOptions options) {
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).getValue() instanceof Embedding e) {
                throw new OnnxException("layer " + i + " (" + layers.get(i).getKey() + "), " + e + ", reads int64 indices, which only the graph's "
                        + "input gives: nabla exports an Embedding as the first layer only");
            }
        }
        boolean indices = !layers.isEmpty() && layers.get(0).getValue() instanceof Embedding;
        if (indices && options.normalization() != null) {
            throw new OnnxException("the model starts with " + layers.get(0).getValue() + ", which reads int64 indices: a normalization "
                    + "of its input makes no sense; export without one");
        }
        return indices;
    }

    /** Expands nested Sequentials into their leaves, each with its state-dict path ("features.3"). */
    private static void flatten(String prefix, Layer layer, List<Map.Entry<String, Layer>> out) {
        if (layer instanceof Sequential) {
            for (var c : layer.namedChildren().entrySet()) flatten(prefix.isEmpty() ? c.getKey() : prefix + "." + c.getKey(), c.getValue(), out);
        } else {
            out.add(Map.entry(prefix, layer));
        }
    }

    @SuppressWarnings("unchecked")
    private String convert(Layer layer, String x, int[] shape, String path, int index) {
        layer.outputShape(shape); // a layer that does not fit its input fails here, with nabla's message
        for (Entry<?> e : CONVERTERS) {
            if (e.type().isInstance(layer)) return ((Converter<Layer>) e.converter()).convert(layer, x, shape, this);
        }
        throw new OnnxException("layer " + index + (path.isEmpty() ? "" : " (" + path + ")") + ", " + layer.typeName()
                + ", has no ONNX export; nabla exports " + String.join(", ", supported()));
    }

    // ---- graph building ----

    /** Adds a node reading inputs (the first is the data flowing through) and returns its output's name. */
    String node(String op, List<String> inputs, Map<String, Object> attributes) {
        String name = "/" + scope + "/" + op + (counter == 0 ? "" : "_" + counter);
        counter++;
        String out = name + "_output_0";
        nodes.add(new OnnxNode(op, name, inputs, List.of(out), attributes));
        return out;
    }

    String node(String op, String x, Map<String, Object> attributes) {
        return node(op, List.of(x), attributes);
    }

    /** Adds an initializer and returns its name; floating tensors are written as float32 whatever the model's dtype. */
    String initializer(String name, Tensor t) {
        initializers.put(name, t.dtype().isFloating() && t.dtype() != DType.FLOAT32 ? t.toType(DType.FLOAT32) : t.detach());
        return name;
    }

    private String constant(String name, double... v) {
        return initializer(scope + "." + name, Tensor.of(toFloats(v), v.length));
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    private static Map<String, Object> with(Map<String, Object> m, String key, Object v) {
        Map<String, Object> out = new LinkedHashMap<>(m);
        out.put(key, v);
        return out;
    }

    private static long[] longs(int... v) {
        return Arrays.stream(v).asLongStream().toArray();
    }

    // ---- converters ----

    private String normalize(String x, int[] shape, Onnx.Normalization n) {
        int c = n.mean().length;
        if (c != 1 && (shape.length < 2 || shape[1] != c)) {
            throw new OnnxException("the normalization has " + c + " means and stds but the input of shape "
                    + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)) + " has " + (shape.length < 2 ? 0 : shape[1])
                    + " channels in its first dim; give one value or one per channel");
        }
        int[] s = new int[Math.max(1, shape.length - 1)];
        Arrays.fill(s, 1);
        s[0] = c;
        scope = "normalize";
        String mean = initializer("normalize.mean", Tensor.of(toFloats(n.mean()), c).reshape(s));
        String std = initializer("normalize.std", Tensor.of(toFloats(n.std()), c).reshape(s));
        return node("Div", List.of(node("Sub", List.of(x, mean), Map.of()), std), Map.of());
    }

    private static String linear(Linear l, String x, int[] in, OnnxExporter g) {
        if (in.length == 2) {
            String w = g.initializer(g.scope + ".weight", l.weight());
            List<String> inputs = l.bias() == null ? List.of(x, w) : List.of(x, w, g.initializer(g.scope + ".bias", l.bias()));
            return g.node("Gemm", inputs, Map.of("transB", 1L));
        }
        // ONNX's Gemm is 2-D only: x·Wᵀ (+ b) with the weight stored transposed
        String y = g.node("MatMul", List.of(x, g.initializer(g.scope + ".weight_t", l.weight().t().contiguous())), Map.of());
        return l.bias() == null ? y : g.node("Add", List.of(y, g.initializer(g.scope + ".bias", l.bias())), Map.of());
    }

    /**
     * Gather(weight, indices, axis 0). The padding index only affects training, so the weights go
     * as they are; a max norm is applied at lookup as nabla does (PyTorch's embedding_renorm_):
     * each looked-up row whose norm exceeds maxNorm is scaled by maxNorm / (norm + 1e-7).
     */
    private static String embedding(Embedding l, String x, int[] in, OnnxExporter g) {
        String rows = g.node("Gather", List.of(g.initializer(g.scope + ".weight", l.weight()), x), Map.of("axis", 0L));
        if (l.maxNorm() == 0) return rows;
        double p = l.normType();
        String norm;
        if (p == 2) {
            norm = g.node("ReduceL2", rows, Map.of("axes", new long[] {-1}, "keepdims", 1L));
        } else {
            String powered = g.node("Pow", List.of(g.node("Abs", rows, Map.of()), g.constant("norm_type", p)), Map.of());
            String axes = g.initializer(g.scope + ".axes", Tensor.of(new long[] {-1}, 1));
            String sum = g.node("ReduceSum", List.of(powered, axes), Map.of("keepdims", 1L));
            norm = g.node("Pow", List.of(sum, g.constant("inv_norm_type", 1 / p)), Map.of());
        }
        String maxNorm = g.constant("max_norm", l.maxNorm());
        String shrink = g.node("Div", List.of(maxNorm, g.node("Add", List.of(norm, g.constant("eps", 1e-7)), Map.of())), Map.of());
        String scale = g.node("Where", List.of(g.node("Greater", List.of(norm, maxNorm), Map.of()), shrink, g.constant("one", 1)), Map.of());
        return g.node("Mul", List.of(rows, scale), Map.of());
    }

    private static Map<String, Object> convAttributes(ConvLayer l, int[] pads) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("kernel_shape", longs(l.kernelSize()));
        a.put("strides", longs(l.stride()));
        a.put("pads", longs(pads));
        a.put("dilations", longs(l.dilation()));
        a.put("group", (long) l.groups());
        return a;
    }

    private static List<String> convInputs(ConvLayer l, String x, OnnxExporter g) {
        String w = g.initializer(g.scope + ".weight", l.weight());
        return l.bias() == null ? List.of(x, w) : List.of(x, w, g.initializer(g.scope + ".bias", l.bias()));
    }

    private static String conv2d(Conv2d l, String x, int[] in, OnnxExporter g) {
        int[] p = l.padding(); // top, bottom, left, right; ONNX: top, left, bottom, right
        return g.node("Conv", convInputs(l, x, g), convAttributes(l, new int[] {p[0], p[2], p[1], p[3]}));
    }

    private static String convTranspose2d(ConvTranspose2d l, String x, int[] in, OnnxExporter g) {
        int[] p = l.padding();
        return g.node("ConvTranspose", convInputs(l, x, g),
                with(convAttributes(l, new int[] {p[0], p[1], p[0], p[1]}), "output_padding", longs(l.outputPadding())));
    }

    private static String batchNorm(BatchNorm l, String x, int[] in, OnnxExporter g) {
        int c = l.numFeatures();
        String s = g.scope;
        List<String> inputs = List.of(x,
                g.initializer(s + ".weight", l.weight() != null ? l.weight() : Tensor.ones(c)),
                g.initializer(s + ".bias", l.bias() != null ? l.bias() : Tensor.zeros(c)),
                g.initializer(s + ".running_mean", l.runningMean()),
                g.initializer(s + ".running_var", l.runningVar()));
        return g.node("BatchNormalization", inputs, Map.of("epsilon", (float) l.eps()));
    }

    /** ONNX's attributes of pooling windows w, with the given padding {height, width} on both sides. */
    private static Map<String, Object> poolAttributes(PoolWindow w, int[] padding) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("kernel_shape", longs(w.kernel()));
        a.put("strides", longs(w.stride()));
        a.put("pads", longs(padding[0], padding[1], padding[0], padding[1]));
        a.put("ceil_mode", w.ceilMode() ? 1L : 0L);
        return a;
    }

    /**
     * In ceil mode, PyTorch (and nabla) divide a last, partial window by its part inside the
     * padded input, where ONNX Runtime counts the whole kernel: the padding is then written as an
     * explicit Pad and the pooling counts only what is inside, which is the same divisor.
     */
    private static String avgPool(AvgPool2d l, String x, int[] in, OnnxExporter g) {
        PoolWindow w = l.window();
        int[] p = w.padding();
        if (w.ceilMode() && l.countIncludePad()) {
            if (p[0] != 0 || p[1] != 0) {
                String pads = g.initializer(g.scope + ".pads", Tensor.of(new long[] {0, 0, p[0], p[1], 0, 0, p[0], p[1]}, 8));
                x = g.node("Pad", List.of(x, pads), Map.of());
            }
            return g.node("AveragePool", x, with(poolAttributes(w, new int[] {0, 0}), "count_include_pad", 0L));
        }
        return g.node("AveragePool", x, with(poolAttributes(w, p), "count_include_pad", l.countIncludePad() ? 1L : 0L));
    }

    private static String flatten(Flatten l, String x, int[] in, OnnxExporter g) {
        int r = in.length;
        int s = l.startDim() < 0 ? l.startDim() + r : l.startDim(), e = l.endDim() < 0 ? l.endDim() + r : l.endDim();
        if (s == 1 && e == r - 1) return g.node("Flatten", x, Map.of("axis", 1L));
        // general case: Reshape with the batch dim copied (0) or, when it is merged, inferred (−1)
        int[] out = l.outputShape(in);
        long[] target = new long[out.length];
        for (int d = 0; d < out.length; d++) target[d] = out[d];
        target[0] = s == 0 ? -1 : 0;
        String shape = g.initializer(g.scope + ".shape", Tensor.of(target, target.length));
        return g.node("Reshape", List.of(x, shape), Map.of());
    }

    /** GELU at opset 17: exact 0.5·x·(1 + erf(x/√2)), or the tanh form 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    private static String gelu(GELU l, String x, int[] in, OnnxExporter g) {
        String inner;
        if (l.isTanhApproximation()) {
            String cube = g.node("Mul", List.of(g.node("Mul", List.of(x, x), Map.of()), x), Map.of());
            String sum = g.node("Add", List.of(x, g.node("Mul", List.of(cube, g.constant("c", 0.044715)), Map.of())), Map.of());
            inner = g.node("Tanh", g.node("Mul", List.of(sum, g.constant("k", Math.sqrt(2 / Math.PI))), Map.of()), Map.of());
        } else {
            inner = g.node("Erf", g.node("Div", List.of(x, g.constant("sqrt2", Math.sqrt(2))), Map.of()), Map.of());
        }
        String onePlus = g.node("Add", List.of(inner, g.constant("one", 1)), Map.of());
        return g.node("Mul", List.of(g.node("Mul", List.of(x, onePlus), Map.of()), g.constant("half", 0.5)), Map.of());
    }
}
