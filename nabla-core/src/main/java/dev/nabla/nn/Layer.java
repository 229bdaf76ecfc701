package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The base of every layer and network (Keras's name; PyTorch calls it {@code nn.Module}): a {@link #forward} computation plus
 * named state, all kept in registration order.
 *
 * <ul>
 *   <li><b>parameters</b> ({@link #registerParameter}): trainable tensors, marked
 *       {@code requiresGrad(true)}; {@link #parameters()} gives them (recursively, own ones
 *       first, then each child's, deterministic) as the plain {@code List<Tensor>} optimizers take;
 *   <li><b>buffers</b> ({@link #registerBuffer}): state that is saved but not trained (e.g. running
 *       statistics);
 *   <li><b>children</b> ({@link #registerLayer}): child layers, whose state appears under dotted
 *       names such as {@code "0.weight"}.
 * </ul>
 *
 * Frozen parameters ({@link #setTrainable}{@code (false)}) stay in {@link #stateDict()} and
 * {@link #allParameters()} but leave {@link #parameters()}.
 *
 * <p>Lazy layers (Keras's build; e.g. {@code new Linear(10)}, {@code Conv2d.lazy(32, 3)},
 * {@code new BatchNorm2d()}) create their parameters from the shape of their first input: run a
 * batch through the model, or call {@link #build(int...)} with the input shape, before asking for
 * its parameters or state.
 */
public abstract class Layer {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Layer> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean awaitingBuild;
    /** This layer's tree as of a {@link #STRUCTURE} version, or null (see {@link #tree()}). */
    private volatile Tree tree;

    /**
     * Bumped by every registration in any layer: a cached {@link Tree} of another version is stale.
     * A training step asks for the parameters and the generators, and whether every lazy layer is
     * built, each time rebuilding maps of dotted names: 2.4% of the runge protocol's time.
     */
    private static final AtomicLong STRUCTURE = new AtomicLong();

    /** The layers by dotted name (parents first) and the parameters, as {@link #namedLayers} and {@link #allParameters} give them. */
    private record Tree(long version, Map<String, Layer> layers, List<Parameter> parameters) {}

    /** Computes this layer's output for input x. */
    public abstract Tensor forward(Tensor x);

    /**
     * The shape of {@link #forward}'s output for an input of shape {@code inputShape} (batch dim
     * included), computed without running the layer, or null when this layer does not know it
     * (the default). Layers whose forward pass is costly (convolutions, linear layers) override it,
     * so that {@link #summary} and the model spec can infer shapes, and report shape errors, with
     * no computation; an input that does not fit throws the error forward would.
     */
    public int[] outputShape(int[] inputShape) {
        return null;
    }

    /**
     * This layer's constructor arguments as a JSON-able map (numbers, booleans, strings, int
     * arrays, and lists and maps of them), from which the factory registered with
     * {@link LayerRegistry} rebuilds it when a saved model is loaded; its weights come from the
     * file, its children (for a container such as {@link Sequential}) are described on their own.
     * Null by default: a layer of your own overrides this and registers a factory (one line, see
     * {@link LayerRegistry#register(Class, LayerRegistry.Factory)}) to be saved.
     */
    public Map<String, Object> config() {
        return null;
    }

    // ---------------------------------------------------------------- lazy build

    /** Marks this layer as lazy: it registers its parameters on its first input, then calls {@link #markBuilt()}. */
    protected final void deferBuild() {
        awaitingBuild = true;
    }

    /** Called by a lazy layer once it has registered its parameters. */
    protected final void markBuilt() {
        awaitingBuild = false;
    }

    /** True when this layer and every descendant have their parameters (always, without lazy layers). */
    public boolean isBuilt() {
        return lazyLayers().isEmpty();
    }

    // The dotted names of the layers still waiting for their first input.
    private List<String> lazyLayers() {
        List<String> out = new ArrayList<>();
        for (var e : tree().layers().entrySet()) if (e.getValue().awaitingBuild) out.add(e.getKey().isEmpty() ? typeName() : e.getKey());
        return out;
    }

    /**
     * Builds the lazy layers (Keras's {@code build}): runs one input of zeros of shape
     * [1, inputShape...] (no batch dim in {@code inputShape}, as {@link #summary}) through the model
     * in evaluation mode without recording gradients, so that each lazy layer creates its parameters
     * from the shape it receives; the modes are restored. Does nothing when already built. Returns this.
     */
    public Layer build(int... inputShape) {
        if (isBuilt()) return this;
        for (int d : inputShape) {
            if (d <= 0) throw new IllegalArgumentException(typeName() + ".build: input shape " + Arrays.toString(inputShape)
                    + " must have positive sizes and no batch dim (e.g. build(1, 28, 28) for MNIST images)");
        }
        int[] withBatch = new int[inputShape.length + 1];
        withBatch[0] = 1;
        System.arraycopy(inputShape, 0, withBatch, 1, inputShape.length);
        List<Parameter> ps = tree().parameters();
        DType dtype = ps.isEmpty() ? DType.FLOAT32 : ps.get(0).tensor().dtype();
        inference(() -> forward(Tensor.zeros(dtype, withBatch)));
        List<String> lazy = lazyLayers();
        if (!lazy.isEmpty()) {
            throw new IllegalStateException(typeName() + ".build: the layers " + lazy + " received no input in forward,"
                    + " so they cannot infer their sizes; give them their sizes explicitly");
        }
        return this;
    }

    // Throws, naming the lazy layers and the fix, unless every layer has its parameters.
    private void requireBuilt(String what) {
        List<String> lazy = lazyLayers();
        if (!lazy.isEmpty()) {
            throw new IllegalStateException(typeName() + "." + what + ": the lazy layers " + lazy + " have no parameters yet:"
                    + " they infer their input size from their first input. Call build(inputShape) (e.g. build(1, 28, 28),"
                    + " without the batch dim) or run one batch through the model first, then create the optimizer");
        }
    }

    /** Runs body in evaluation mode without recording gradients, then restores every layer's mode. */
    <T> T inference(Supplier<T> body) {
        List<Layer> layers = new ArrayList<>(tree().layers().values()); // parents before children
        boolean[] modes = new boolean[layers.size()];
        for (int i = 0; i < modes.length; i++) modes[i] = layers.get(i).isTraining();
        eval();
        try (var s = GradMode.noGrad()) {
            return body.get();
        } finally {
            // train(boolean) is recursive: set parents first, then each descendant overrides its own flag.
            for (int i = 0; i < modes.length; i++) layers.get(i).train(modes[i]);
        }
    }

    // ---------------------------------------------------------------- registration

    /**
     * Registers a trainable parameter under {@code name} (no dots, unique in this layer), marks
     * it {@code requiresGrad(true)} and returns it. It must be a floating-point leaf tensor.
     */
    public Tensor registerParameter(String name, Tensor t) {
        checkName("registerParameter", name);
        if (t == null) throw new IllegalArgumentException(typeName() + ".registerParameter: parameter '" + name + "' is null");
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(typeName() + ".registerParameter: parameter '" + name + "' is " + t.dtype()
                    + "; parameters must be float32 or float64 (register integer state with registerBuffer)");
        }
        if (!t.isLeaf()) {
            throw new IllegalArgumentException(typeName() + ".registerParameter: parameter '" + name + "' is the result of the op "
                    + t.gradFn() + "; a parameter must be a leaf tensor, e.g. pass t.detach()");
        }
        t.requiresGrad(true);
        params.put(name, t);
        STRUCTURE.incrementAndGet();
        return t;
    }

    /** Registers non-trainable state (saved in {@link #stateDict()}, never trained) and returns it. */
    public Tensor registerBuffer(String name, Tensor t) {
        checkName("registerBuffer", name);
        if (t == null) throw new IllegalArgumentException(typeName() + ".registerBuffer: buffer '" + name + "' is null");
        if (t.requiresGrad()) {
            throw new IllegalArgumentException(typeName() + ".registerBuffer: buffer '" + name + "' requires grad; a buffer is"
                    + " not trained: pass t.detach(), or use registerParameter for trainable state");
        }
        buffers.put(name, t);
        STRUCTURE.incrementAndGet();
        return t;
    }

    /** Registers a child layer under {@code name} and returns it. */
    public <M extends Layer> M registerLayer(String name, M child) {
        checkName("registerLayer", name);
        if (child == null) throw new IllegalArgumentException(typeName() + ".registerLayer: layer '" + name + "' is null");
        if (child == this) throw new IllegalArgumentException(typeName() + ".registerLayer: a layer cannot contain itself");
        children.put(name, child);
        STRUCTURE.incrementAndGet();
        return child;
    }

    private void checkName(String op, String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(typeName() + "." + op + ": invalid name '" + name
                    + "'; names must be non-empty and contain no '.' (dots separate the levels of nested layers)");
        }
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(typeName() + "." + op + ": the name '" + name
                    + "' is already used by a parameter, buffer or child of this layer; choose another name");
        }
    }

    /** This layer's own parameter {@code name} (not a child's). */
    public Tensor parameter(String name) {
        Tensor t = params.get(name);
        if (t == null) {
            throw new IllegalArgumentException(typeName() + ": no parameter '" + name + "'; it has " + params.keySet());
        }
        return t;
    }

    /** This layer's own buffer {@code name}. */
    public Tensor buffer(String name) {
        Tensor t = buffers.get(name);
        if (t == null) throw new IllegalArgumentException(typeName() + ": no buffer '" + name + "'; it has " + buffers.keySet());
        return t;
    }

    /** True when this layer itself has a parameter of that name. */
    public boolean hasParameter(String name) {
        return params.containsKey(name);
    }

    /** The direct child layer {@code name}. */
    public Layer child(String name) {
        Layer m = children.get(name);
        if (m == null) throw new IllegalArgumentException(typeName() + ": no child layer '" + name + "'; it has " + children.keySet());
        return m;
    }

    // ---------------------------------------------------------------- traversal

    /** The direct child layers in registration order. */
    public List<Layer> children() {
        return List.copyOf(children.values());
    }

    /** The direct child layers by name, in registration order. */
    public Map<String, Layer> namedChildren() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(children));
    }

    /** This layer (name "") and all its descendants (dotted names), depth first, parents first. */
    public Map<String, Layer> namedLayers() {
        return new LinkedHashMap<>(tree().layers());
    }

    // the cached tree, rebuilt after any registration
    private Tree tree() {
        Tree t = tree;
        long version = STRUCTURE.get();
        if (t == null || t.version() != version) {
            Map<String, Layer> layers = new LinkedHashMap<>();
            collectLayers("", layers);
            List<Parameter> parameters = new ArrayList<>();
            collectParams("", parameters, Collections.newSetFromMap(new IdentityHashMap<>()));
            tree = t = new Tree(version, Collections.unmodifiableMap(layers), List.copyOf(parameters));
        }
        return t;
    }

    private void collectLayers(String prefix, Map<String, Layer> out) {
        out.put(prefix, this);
        for (var e : children.entrySet()) e.getValue().collectLayers(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
    }

    /**
     * The distinct generators this layer and its descendants draw from in training (dropout's),
     * in layer order: the state a checkpoint keeps so that a resumed run draws the same masks.
     */
    public List<Generator> generators() {
        List<Generator> out = new ArrayList<>();
        Set<Generator> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Layer m : tree().layers().values()) {
            Generator g = m.generator();
            if (g != null && seen.add(g)) out.add(g);
        }
        return out;
    }

    /** The generator this layer itself draws from when training (the global one if it has none), or null if it draws none. */
    protected Generator generator() {
        return null;
    }

    /** A registered parameter: its dotted name and tensor; trainable while it requires grad. */
    public record Parameter(String name, Tensor tensor) {
        /** True unless frozen with {@link Layer#setTrainable}{@code (false)}. */
        public boolean trainable() {
            return tensor.requiresGrad();
        }
    }

    /**
     * Every parameter, trainable or frozen, with its dotted name: own ones first, then each
     * child's in registration order. A tensor registered twice (tied weights) appears once, under
     * its first name.
     */
    public List<Parameter> allParameters() {
        requireBuilt("parameters");
        return new ArrayList<>(tree().parameters());
    }

    private void collectParams(String prefix, List<Parameter> out, Set<Tensor> seen) {
        for (var e : params.entrySet()) if (seen.add(e.getValue())) out.add(new Parameter(prefix + e.getKey(), e.getValue()));
        for (var e : children.entrySet()) e.getValue().collectParams(prefix + e.getKey() + ".", out, seen);
    }

    /** The trainable parameters, recursively, in a deterministic order: what an optimizer takes. */
    public List<Tensor> parameters() {
        requireBuilt("parameters");
        List<Tensor> out = new ArrayList<>();
        for (Parameter p : tree().parameters()) if (p.trainable()) out.add(p.tensor());
        return out;
    }

    /** The trainable parameters by dotted name ("0.weight", "0.bias", ...), in the order of {@link #parameters()}. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Parameter p : allParameters()) if (p.trainable()) out.put(p.name(), p.tensor());
        return out;
    }

    /** The buffers of this layer and its descendants by dotted name. */
    public Map<String, Tensor> namedBuffers() {
        requireBuilt("namedBuffers");
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var m : tree().layers().entrySet()) {
            String prefix = m.getKey().isEmpty() ? "" : m.getKey() + ".";
            for (var b : m.getValue().buffers.entrySet()) out.put(prefix + b.getKey(), b.getValue());
        }
        return out;
    }

    /** The number of scalars in all parameters (trainable and frozen). */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : allParameters()) n += p.tensor().numel();
        return n;
    }

    /** The number of scalars in the trainable parameters. */
    public long trainableParameterCount() {
        long n = 0;
        for (Parameter p : allParameters()) if (p.trainable()) n += p.tensor().numel();
        return n;
    }

    // ---------------------------------------------------------------- modes

    /** Puts this layer and all descendants in training mode (Dropout active); returns this. */
    public Layer train() {
        return train(true);
    }

    /** Sets training mode (true) or evaluation mode (false) recursively; returns this. */
    public Layer train(boolean mode) {
        training = mode;
        for (Layer c : children.values()) c.train(mode);
        return this;
    }

    /** Puts this layer and all descendants in evaluation mode (Dropout is the identity); returns this. */
    public Layer eval() {
        return train(false);
    }

    /** True in training mode (the default). */
    public boolean isTraining() {
        return training;
    }

    /**
     * Freezes (false) or unfreezes (true) every parameter, recursively: frozen parameters get no
     * gradient and are left out of {@link #parameters()}. Returns this.
     */
    public Layer setTrainable(boolean trainable) {
        for (Parameter p : allParameters()) p.tensor().requiresGrad(trainable);
        return this;
    }

    /** Calls fn on every descendant, children before parents, then on this layer (as PyTorch's apply); returns this. */
    public Layer apply(Consumer<Layer> fn) {
        for (Layer c : children.values()) c.apply(fn);
        fn.accept(this);
        return this;
    }

    /** Clears the gradient of every parameter (sets it to null, as PyTorch's zero_grad). */
    public void zeroGrad() {
        for (Parameter p : allParameters()) p.tensor().setGrad(null);
    }

    /**
     * Converts every floating parameter and buffer to {@code dtype} (e.g. FLOAT64 for gradcheck),
     * recursively, keeping the trainable flags; returns this. The parameter tensors are replaced,
     * so create the optimizer afterwards.
     */
    public Layer toType(DType dtype) {
        requireBuilt("toType");
        if (!dtype.isFloating()) throw new IllegalArgumentException(typeName() + ".toType: " + dtype + " is not a floating type");
        Map<Tensor, Tensor> converted = new IdentityHashMap<>(); // tied parameters stay tied
        for (Layer m : tree().layers().values()) {
            for (var e : m.params.entrySet()) {
                Tensor t = e.getValue();
                if (t.dtype() == dtype) continue;
                e.setValue(converted.computeIfAbsent(t, old -> {
                    try (var s = GradMode.noGrad()) {
                        return old.toType(dtype).requiresGrad(old.requiresGrad());
                    }
                }));
            }
            for (var e : m.buffers.entrySet()) {
                Tensor t = e.getValue();
                if (t.dtype().isFloating() && t.dtype() != dtype) e.setValue(t.toType(dtype));
            }
        }
        STRUCTURE.incrementAndGet(); // the parameters are new tensors
        return this;
    }

    // ---------------------------------------------------------------- state

    /**
     * Parameters (trainable and frozen) and buffers by dotted name, per layer its parameters then
     * its buffers, then its children: PyTorch's state_dict order. The values are detached views
     * sharing memory with the model (copy them to keep a snapshot).
     */
    public Map<String, Tensor> stateDict() {
        requireBuilt("stateDict");
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        for (var e : params.entrySet()) out.put(prefix + e.getKey(), e.getValue().detach());
        for (var e : buffers.entrySet()) out.put(prefix + e.getKey(), e.getValue().detach());
        for (var e : children.entrySet()) e.getValue().collectState(prefix + e.getKey() + ".", out);
    }

    /** The keys a non-strict {@link #loadStateDict(Map, boolean)} skipped. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    /**
     * Copies the values of {@code state} into this model's parameters and buffers, in place and
     * without recording gradients. Strict: the names must be exactly those of {@link #stateDict()}.
     * Shapes and types must match. Everything is checked before anything is copied, so a failed
     * load leaves the model unchanged.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        loadStateDict(state, true);
    }

    /**
     * As {@link #loadStateDict(Map)}; when {@code strict} is false, missing and unexpected names
     * are skipped and returned instead of rejected (shapes and types are still checked).
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), problems = new ArrayList<>();
        for (String k : own.keySet()) if (!state.containsKey(k)) missing.add(k);
        for (String k : state.keySet()) if (!own.containsKey(k)) unexpected.add(k);
        String where = "loadStateDict(" + typeName() + ")";
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            StringBuilder sb = new StringBuilder(where + ": the state dict does not match the model:");
            if (!missing.isEmpty()) sb.append(" missing keys ").append(missing).append(';');
            if (!unexpected.isEmpty()) sb.append(" unexpected keys ").append(unexpected).append(';');
            sb.append(" the model expects ").append(own.keySet())
                    .append(". Build the same architecture it was saved from, or load with strict=false");
            throw new IllegalArgumentException(sb.toString());
        }
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                if (state.containsKey(e.getKey())) problems.add("'" + e.getKey() + "' is null");
                continue;
            }
            Tensor dst = e.getValue();
            if (!Arrays.equals(src.shape(), dst.shape())) {
                problems.add("'" + e.getKey() + "' has shape " + Shape.str(src.shape()) + " in the state dict but "
                        + Shape.str(dst.shape()) + " in the model");
            } else if (src.dtype() != dst.dtype()) {
                problems.add("'" + e.getKey() + "' is " + src.dtype() + " in the state dict but " + dst.dtype()
                        + " in the model (convert the model with toType, or the tensor with toType)");
            }
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException(where + ": " + String.join("; ", problems));
        try (var s = GradMode.noGrad()) {
            for (var e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) e.getValue().copyFrom(src);
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ---------------------------------------------------------------- printing

    /**
     * A Keras-style table of the layers (name and type, output shape, parameter count) and the
     * total, trainable and non-trainable counts; {@code inputShape} excludes the batch dim. See
     * {@link Summary}. Builds the lazy layers first ({@link #build(int...)}).
     */
    public String summary(int... inputShape) {
        if (!isBuilt() && inputShape.length == 0) requireBuilt("summary");
        build(inputShape);
        return Summary.of(this, inputShape);
    }

    /** The type name used in printing: the simple class name. */
    public String typeName() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? "Layer" : n;
    }

    /** The settings shown between the parentheses of {@link #toString()}, e.g. {@code in_features=1, out_features=20}. */
    protected String extraRepr() {
        return "";
    }

    /** Printed as PyTorch prints modules: {@code Sequential(\n  (0): Linear(in_features=1, ...)\n)}. */
    @Override
    public String toString() {
        if (children.isEmpty()) return typeName() + "(" + extraRepr() + ")";
        StringBuilder sb = new StringBuilder(typeName()).append('(');
        String extra = extraRepr();
        if (!extra.isEmpty()) sb.append('\n').append("  ").append(extra);
        for (var e : children.entrySet()) {
            String child = e.getValue().toString().replace("\n", "\n  ");
            sb.append("\n  (").append(e.getKey()).append("): ").append(child);
        }
        return sb.append("\n)").toString();
    }
}
