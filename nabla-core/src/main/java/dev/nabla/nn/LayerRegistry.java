package dev.nabla.nn;

import dev.nabla.tensor.Generator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Layer types by name, so that a saved model can be rebuilt from its description (type name,
 * {@link Layer#config()}, children) before its weights are loaded. nabla's layers are registered
 * here; a layer of your own takes one line, e.g.
 *
 * <pre>{@code
 * LayerRegistry.register(Scale.class, c -> new Scale(c.number("factor")));
 * }</pre>
 *
 * with {@code Scale.config()} returning {@code Map.of("factor", factor)}. A type is known by
 * its exact class: a subclass of a registered layer is a type of its own. Initial weights drawn
 * while rebuilding come from a fixed generator, never the global one, and are overwritten by the
 * file's.
 */
public final class LayerRegistry {
    private LayerRegistry() {}

    /** Rebuilds a layer of one type from its configuration and rebuilt children. */
    @FunctionalInterface
    public interface Factory {
        /** The layer described by config. */
        Layer create(LayerConfig config);
    }

    private record Entry(Class<? extends Layer> type, Factory factory) {}

    private static final Map<String, Entry> BY_NAME = new ConcurrentHashMap<>();
    private static final Map<Class<?>, String> BY_CLASS = new ConcurrentHashMap<>();

    static {
        register(Sequential.class, c -> new Sequential(c.children()));
        register(Linear.class, c -> new Linear(c.integer("in"), c.integer("out"), c.bool("bias"), new Generator(0)));
        register(Conv2d.class, c -> {
            Conv2d.Builder b = conv(Conv2d.builder(c.integer("in"), c.integer("out"), c.ints("kernel")), c);
            return (c.values().get("padding") instanceof String same && same.equals("same") ? b.paddingSame()
                    : b.padding(c.ints("padding"))).build();
        });
        register(ConvTranspose2d.class, c -> conv(ConvTranspose2d.builder(c.integer("in"), c.integer("out"), c.ints("kernel")), c)
                .padding(c.ints("padding")).outputPadding(c.ints("outputPadding")).build());
        register(MaxPool2d.class, c -> new MaxPool2d(c.ints("kernel"), c.ints("stride"), c.ints("padding")).ceilMode(c.bool("ceilMode")));
        register(AvgPool2d.class, c -> new AvgPool2d(c.ints("kernel"), c.ints("stride"), c.ints("padding"), c.bool("countIncludePad"))
                .ceilMode(c.bool("ceilMode")));
        register(GlobalAvgPool2d.class, c -> new GlobalAvgPool2d());
        register(BatchNorm1d.class, c -> new BatchNorm1d(c.integer("features"), c.number("eps"), c.number("momentum"), c.bool("affine")));
        register(BatchNorm2d.class, c -> new BatchNorm2d(c.integer("features"), c.number("eps"), c.number("momentum"), c.bool("affine")));
        register(Dropout.class, c -> new Dropout(c.number("p")));
        register(Dropout2d.class, c -> new Dropout2d(c.number("p")));
        register(Flatten.class, c -> new Flatten(c.integer("startDim"), c.integer("endDim")));
        register(Identity.class, c -> new Identity());
        register(ReLU.class, c -> new ReLU());
        register(Sigmoid.class, c -> new Sigmoid());
        register(Tanh.class, c -> new Tanh());
        register(GELU.class, c -> new GELU(c.bool("tanh")));
        register(ELU.class, c -> new ELU(c.number("alpha")));
        register(LeakyReLU.class, c -> new LeakyReLU(c.number("slope")));
        register(Softmax.class, c -> new Softmax(c.integer("dim")));
        register(LogSoftmax.class, c -> new LogSoftmax(c.integer("dim")));
        register(Unflatten.class, c -> new Unflatten(c.ints("shape")));
        register(Embedding.class, c -> new Embedding(c.integer("numEmbeddings"), c.integer("embeddingDim"),
                (long) c.number("paddingIdx"), c.number("maxNorm"), c.number("normType"), c.bool("sparse"), new Generator(0)));
        register(SoftmaxOutput.class, c -> new SoftmaxOutput(c.integer("inFeatures"), c.integer("classes"), new Generator(0)));
    }

    private static <B extends ConvLayer.Settings<B>> B conv(B b, LayerConfig c) {
        return b.stride(c.ints("stride")).dilation(c.ints("dilation")).groups(c.integer("groups")).bias(c.bool("bias"))
                .generator(new Generator(0));
    }

    /** Registers a layer type under its simple class name (e.g. "Embedding"). */
    public static void register(Class<? extends Layer> type, Factory factory) {
        register(type.getSimpleName(), type, factory);
    }

    /**
     * Registers a layer type under name; registering the same name and class again replaces the
     * factory, another class under a taken name is refused.
     */
    public static synchronized void register(String name, Class<? extends Layer> type, Factory factory) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("LayerRegistry.register: the name is empty");
        if (type == null || factory == null) throw new IllegalArgumentException("LayerRegistry.register(" + name + "): null class or factory");
        Entry old = BY_NAME.get(name);
        if (old != null && old.type() != type) {
            throw new IllegalArgumentException("LayerRegistry.register: the name '" + name + "' already belongs to "
                    + old.type().getName() + "; register " + type.getName() + " under another name");
        }
        String oldName = BY_CLASS.get(type);
        if (oldName != null && !oldName.equals(name)) BY_NAME.remove(oldName);
        BY_NAME.put(name, new Entry(type, factory));
        BY_CLASS.put(type, name);
    }

    /** True when a type of that name is registered. */
    public static boolean isRegistered(String name) {
        return BY_NAME.containsKey(name);
    }

    /**
     * The registered name of layer's type, after checking that the layer can be saved: its
     * class registered and its {@link Layer#config()} not null. Otherwise the error names the
     * class and what it must implement.
     */
    public static String typeName(Layer layer) {
        Class<?> cls = layer.getClass();
        String name = BY_CLASS.get(cls);
        boolean described = layer.config() != null;
        if (name != null && described) return name;
        String what = !described && name == null ? "override config() (its constructor arguments as a map) and register a factory"
                : !described ? "override config() (its constructor arguments as a map)" : "register a factory";
        throw new IllegalArgumentException("the layer " + cls.getName() + " cannot be saved: " + what
                + ", e.g. LayerRegistry.register(" + cls.getSimpleName() + ".class, c -> new " + cls.getSimpleName()
                + "(c.integer(\"size\"), ...))" + (cls.isAnonymousClass() || cls.isLocalClass()
                ? "; an anonymous or local class cannot be registered, make it a named class" : ""));
    }

    /** Rebuilds a layer of the registered type name from its configuration and rebuilt children. */
    public static Layer create(String name, Map<String, Object> config, List<Layer> children) {
        Entry e = BY_NAME.get(name);
        if (e == null) {
            throw new IllegalArgumentException("layer type '" + name + "' is not registered (known: " + new java.util.TreeSet<>(BY_NAME.keySet())
                    + "); register it with LayerRegistry.register(" + name + ".class, config -> new " + name + "(...)) before loading");
        }
        Layer layer = e.factory().create(new LayerConfig(name, config, children));
        if (layer == null || layer.getClass() != e.type()) {
            throw new IllegalArgumentException("the factory of layer type '" + name + "' gave " + (layer == null ? "null" : layer.getClass().getName())
                    + ", not a " + e.type().getName());
        }
        return layer;
    }
}
