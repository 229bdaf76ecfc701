package dev.nabla.nn;

import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Modules applied one after the other, each to the previous one's output. The layers are
 * children named "0", "1", ..., so their parameters are "0.weight", "0.bias", ... as in PyTorch.
 *
 * <pre>{@code
 * var net = new Sequential(new Linear(1, 20), new Tanh(), new Linear(20, 1));
 * }</pre>
 */
public class Sequential extends Layer implements Iterable<Layer> {
    private final List<Layer> layers = new ArrayList<>();

    /** A network of the given layers, in order. */
    public Sequential(Layer... layers) {
        for (Layer m : layers) add(m);
    }

    /** A network of the given layers, in order. */
    public Sequential(List<? extends Layer> layers) {
        for (Layer m : layers) add(m);
    }

    /** Appends a layer (named by its index) and returns this network. */
    public Sequential add(Layer layer) {
        if (layer == null) throw new IllegalArgumentException("Sequential.add: layer " + layers.size() + " is null");
        registerLayer(String.valueOf(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    /** The layer at index i (negative counts from the end). */
    public Layer get(int i) {
        int j = i < 0 ? i + layers.size() : i;
        if (j < 0 || j >= layers.size()) {
            throw new IndexOutOfBoundsException("Sequential.get: index " + i + " out of range for " + layers.size() + " layers");
        }
        return layers.get(j);
    }

    /** The number of layers. */
    public int size() {
        return layers.size();
    }

    /** The layers in order (read-only). */
    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    @Override
    public Iterator<Layer> iterator() {
        return layers().iterator();
    }

    /**
     * Runs the layers in order. A layer that rejects its input's shape gets an error naming it,
     * the layer before it and the shape that passed between them.
     *
     * <p>A ReLU, LeakyReLU, Tanh or Sigmoid right after a Conv2d, Linear or batch norm writes its
     * result over the array of that layer's output, which nothing else reads: neither those layers
     * nor their derivatives keep it, and only this loop holds it (PyTorch's
     * {@code ReLU(inplace=True)}, chosen where it is safe). The values and gradients are the same
     * bits; a step allocates one activation less per pair.
     *
     * <p>An output that one of nabla's layers hands to another is read afterwards by the tape
     * alone, unless its array is also that of the network's input or output or of a tensor another
     * layer took or gave (a view, an activation written over its input). Such an array, of 2^16
     * elements or more, goes back to the pool once the backward pass has released the derivative
     * rules that keep it (at once if none does), and the next tensors of its length are written
     * there instead of allocated (what a caching allocator gives PyTorch, which frees such a tensor
     * when its last reference goes).
     */
    @Override
    public Tensor forward(Tensor x) {
        int n = layers.size();
        Tensor[] passed = new Tensor[n + 1]; // what each layer took, then the output
        boolean[] plain = new boolean[n];
        for (int i = 0; i < n; i++) {
            Layer layer = layers.get(i);
            passed[i] = x;
            plain[i] = keepsNoTensor(layer);
            try {
                x = i > 0 && overwritesInput(layers.get(i - 1), layer) ? Internals.get().overwriting(x, layer::forward)
                        : layer.forward(x);
            } catch (IllegalArgumentException e) {
                String from = i == 0 ? "the network's input" : "layer " + (i - 1) + " (" + headline(layers.get(i - 1)) + ")";
                throw new IllegalArgumentException("Sequential: layer " + i + " (" + headline(layer) + ") cannot take the output of "
                        + from + ", of shape " + Shape.str(x.shape()) + ": " + e.getMessage(), e);
            }
        }
        passed[n] = x;
        Internals.get().onlyTheTapeReads(passed, plain);
        return x;
    }

    // nabla's own classes only: a subclass may keep its output, or read its input twice
    private static boolean overwritesInput(Layer before, Layer activation) {
        Class<?> b = before.getClass(), a = activation.getClass();
        return (b == Conv2d.class || b == Linear.class || b == BatchNorm1d.class || b == BatchNorm2d.class)
                && (a == ReLU.class || a == LeakyReLU.class || a == Tanh.class || a == Sigmoid.class);
    }

    /** nabla's layers that keep no tensor they take or give (a subclass, or a user's layer, may). */
    private static final Set<Class<?>> KEEP_NO_TENSOR = Set.of(Linear.class, Conv2d.class, ConvTranspose2d.class,
            BatchNorm1d.class, BatchNorm2d.class, ReLU.class, LeakyReLU.class, Tanh.class, Sigmoid.class, ELU.class, GELU.class,
            Softmax.class, LogSoftmax.class, MaxPool2d.class, AvgPool2d.class, GlobalAvgPool2d.class, Flatten.class,
            Unflatten.class, Dropout.class, Dropout2d.class, Identity.class);

    private static boolean keepsNoTensor(Layer layer) {
        if (layer.getClass() != Sequential.class) return KEEP_NO_TENSOR.contains(layer.getClass());
        for (Layer l : ((Sequential) layer).layers) if (!keepsNoTensor(l)) return false;
        return true;
    }

    /** The layers' output shapes composed, or null as soon as one layer does not know its own. */
    @Override
    public int[] outputShape(int[] inputShape) {
        int[] s = inputShape;
        for (Layer layer : layers) {
            s = layer.outputShape(s);
            if (s == null) return null;
        }
        return s;
    }

    private static String headline(Layer m) {
        String s = m.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl) + "...)";
    }

    /** The constructor arguments, to rebuild this layer from a saved model ({@link LayerRegistry}). */
    @Override
    public Map<String, Object> config() {
        return Map.of();
    }
}
