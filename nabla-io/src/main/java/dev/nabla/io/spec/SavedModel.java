package dev.nabla.io.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.io.NablaIOException;
import dev.nabla.io.Safetensors;
import dev.nabla.io.TensorFile;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LayerRegistry;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A trained model in one file: a safetensors file whose tensors are the model's
 * {@link Layer#stateDict()} by name (Python's {@code safetensors} reads them) and whose header
 * metadata holds all else needed to use it and reproduce its results (string values, JSON where
 * structured): {@value #KEY_FORMAT} = {@value #FORMAT}, {@value #KEY_VERSION},
 * {@value #KEY_ARCHITECTURE} (each layer's type, {@link Layer#config()} and children, rebuilt
 * through {@link LayerRegistry}), {@value #KEY_INPUT_SHAPE} and {@value #KEY_OUTPUT_SHAPE} (one
 * example, no batch dim), {@value #KEY_PREPROCESSING} ({@link Preprocessing}), and when known
 * {@value #KEY_SPEC} (the JSON model spec it was built from), {@value #KEY_EXPERIMENT} (the whole
 * experiment spec of the run, data paths absolute: where its test data is), {@value #KEY_LOSS},
 * {@value #KEY_METRICS}, {@value #KEY_SEED}, {@value #KEY_FROZEN}, plus {@value #KEY_NABLA_VERSION}
 * and the SHA-256 checksums of {@link Safetensors#writeChecked}, which the loader verifies: a
 * flipped bit is an error naming the file, never a different model.
 *
 * <p>One file, written with one atomic rename: a crash during a save leaves the old model or the
 * new one. {@link #load} checks everything before it returns. A folder saved by nabla 0.1
 * ({@value #LEGACY_SPEC_FILE} + {@value #FILE_NAME}, without the preprocessing) still loads,
 * with {@link #isLegacy()} true and preprocessing "none".
 *
 * <pre>{@code
 * new SavedModel(model, 1, 28, 28).preprocessing(Preprocessing.image(new int[] {1, 28, 28}, false, null)).save(path);
 * SavedModel m = SavedModel.load(path);
 * Tensor logits = m.model().forward(x);
 * }</pre>
 */
public final class SavedModel {
    /** The model file in an output folder. */
    public static final String FILE_NAME = "model.safetensors";
    /** The spec file of a nabla 0.1 model folder. */
    public static final String LEGACY_SPEC_FILE = "model.json";
    /** Metadata key marking a nabla model; value {@value #FORMAT}. */
    public static final String KEY_FORMAT = "format";
    /** The format's value. */
    public static final String FORMAT = "nabla.model";
    /** Metadata key of the layout version; value {@value #VERSION}. */
    public static final String KEY_VERSION = "format_version";
    /** The layout version written. */
    public static final String VERSION = "2";
    /** Metadata keys. */
    public static final String KEY_ARCHITECTURE = "architecture", KEY_SPEC = "spec", KEY_INPUT_SHAPE = "input_shape",
            KEY_OUTPUT_SHAPE = "output_shape", KEY_PREPROCESSING = "preprocessing", KEY_LOSS = "loss", KEY_METRICS = "metrics",
            KEY_SEED = "seed", KEY_EXPERIMENT = "experiment", KEY_FROZEN = "frozen", KEY_NABLA_VERSION = "nabla_version";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final Layer model;
    private final int[] inputShape;
    private Preprocessing preprocessing = Preprocessing.none();
    private JsonNode spec, experiment;
    private String loss;
    private final Map<String, Double> metrics = new LinkedHashMap<>();
    private Long seed;
    private String nablaVersion = version();
    private Path file;
    private String weightsSha256;
    private boolean legacy;

    /** A model to save, with the shape of one input example (no batch dim). */
    public SavedModel(Layer model, int... inputShape) {
        if (model == null) throw new IllegalArgumentException("SavedModel: the model is null");
        if (inputShape == null || inputShape.length == 0) throw new IllegalArgumentException("SavedModel: give the input shape of one example");
        this.model = model;
        this.inputShape = inputShape.clone();
    }

    /** Saves model with its input shape and nothing else known: see {@link #save(Path)}. */
    public static Path save(Path path, Layer model, int... inputShape) throws IOException {
        return new SavedModel(model, inputShape).save(path);
    }

    // ---------------------------------------------------------------- settings (chainable)

    /** Sets what training did to the raw inputs. */
    public SavedModel preprocessing(Preprocessing p) {
        preprocessing = p == null ? Preprocessing.none() : p;
        return this;
    }

    /** Sets the JSON model spec the model was built from. */
    public SavedModel spec(JsonNode modelSpec) {
        spec = modelSpec;
        return this;
    }

    /** Sets the whole experiment spec of the run (see {@link ExperimentSpec#json()}). */
    public SavedModel experiment(JsonNode experimentSpec) {
        experiment = experimentSpec;
        return this;
    }

    /** Sets the loss's name (as in a spec, e.g. "cross_entropy"). */
    public SavedModel loss(String name) {
        loss = name;
        return this;
    }

    /** Adds final metrics, e.g. {"test_accuracy": 0.8879}. */
    public SavedModel metrics(Map<String, Double> values) {
        metrics.putAll(values);
        return this;
    }

    /** Sets the seed of the run. */
    public SavedModel seed(long s) {
        seed = s;
        return this;
    }

    // ---------------------------------------------------------------- accessors

    /** The network (rebuilt and loaded, for a loaded model). */
    public Layer model() {
        return model;
    }

    /** The shape of one input example. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The shape of one output, or null when the layers cannot infer it. */
    public int[] outputShape() {
        int[] batched = new int[inputShape.length + 1];
        batched[0] = 1;
        System.arraycopy(inputShape, 0, batched, 1, inputShape.length);
        int[] out = model.outputShape(batched);
        return out == null ? null : Arrays.copyOfRange(out, 1, out.length);
    }

    /** The preprocessing. */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** The model spec, or null. */
    public JsonNode spec() {
        return spec;
    }

    /** The experiment spec of the run, or null. */
    public JsonNode experiment() {
        return experiment;
    }

    /** The loss's name, or null. */
    public String loss() {
        return loss;
    }

    /** The final metrics saved (may be empty). */
    public Map<String, Double> metrics() {
        return Map.copyOf(metrics);
    }

    /** The seed, or null. */
    public Long seed() {
        return seed;
    }

    /** The nabla version that saved it. */
    public String nablaVersion() {
        return nablaVersion;
    }

    /** The file it was loaded from or last saved to, or null. */
    public Path file() {
        return file;
    }

    /** The SHA-256 of the weights (the file's tensor data), after a load or save; null for a legacy folder. */
    public String weightsSha256() {
        return weightsSha256;
    }

    /** True for a nabla 0.1 folder (model.json + weights), which has no preprocessing, metrics or checksum. */
    public boolean isLegacy() {
        return legacy;
    }

    // ---------------------------------------------------------------- saving

    /**
     * Writes the model file, atomically: to path when it ends in {@code .safetensors}, else to
     * {@code path/}{@value #FILE_NAME} (the folder is created). Returns the file. A layer that
     * cannot describe itself is refused before anything is written.
     */
    public Path save(Path path) throws IOException {
        Path target = file(path);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KEY_FORMAT, FORMAT);
        meta.put(KEY_VERSION, VERSION);
        meta.put(KEY_ARCHITECTURE, json(describe(model)));
        meta.put(KEY_INPUT_SHAPE, json(inputShape));
        int[] out = outputShape();
        if (out != null) meta.put(KEY_OUTPUT_SHAPE, json(out));
        meta.put(KEY_PREPROCESSING, preprocessing.toString());
        if (spec != null) meta.put(KEY_SPEC, json(spec));
        if (experiment != null) meta.put(KEY_EXPERIMENT, json(experiment));
        if (loss != null) meta.put(KEY_LOSS, loss);
        if (!metrics.isEmpty()) meta.put(KEY_METRICS, json(metrics));
        if (seed != null) meta.put(KEY_SEED, Long.toString(seed));
        List<String> frozen = new ArrayList<>();
        for (Layer.Parameter p : model.allParameters()) if (!p.trainable()) frozen.add(p.name());
        if (!frozen.isEmpty()) meta.put(KEY_FROZEN, json(frozen));
        meta.put(KEY_NABLA_VERSION, nablaVersion);
        if (!target.equals(path)) Files.createDirectories(path);
        Safetensors.writeChecked(target, model.stateDict(), meta);
        file = target;
        weightsSha256 = Safetensors.readHeader(target).metadata().get(Safetensors.KEY_DATA_SHA256);
        return target;
    }

    /** The file a model path means: the path itself for {@code *.safetensors}, else {@code path/}{@value #FILE_NAME}. */
    public static Path file(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        return name.endsWith(".safetensors") ? path : path.resolve(FILE_NAME);
    }

    private static ObjectNode describe(Layer layer) {
        ObjectNode o = JSON.createObjectNode();
        try {
            o.put("type", LayerRegistry.typeName(layer));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SavedModel.save: " + e.getMessage(), e);
        }
        o.set("config", JSON.valueToTree(layer.config()));
        if (!layer.children().isEmpty()) {
            ArrayNode children = o.putArray("children");
            for (Layer c : layer.children()) children.add(describe(c));
        }
        return o;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("SavedModel: cannot write " + value + " as JSON", e);
        }
    }

    // ---------------------------------------------------------------- loading

    /**
     * Loads a model file (or a folder holding {@value #FILE_NAME}, or a nabla 0.1 model folder):
     * verifies the checksums, rebuilds the layers from the architecture, loads the weights, all
     * before it returns. Every problem is a {@link NablaIOException} naming the file.
     */
    public static SavedModel load(Path path) throws IOException {
        if (Files.isDirectory(path) && Files.isRegularFile(path.resolve(LEGACY_SPEC_FILE))) return loadLegacy(path);
        if (Files.isDirectory(path) && !Files.exists(path.resolve(FILE_NAME)) && Files.isRegularFile(path.resolve("model").resolve(LEGACY_SPEC_FILE))) {
            return loadLegacy(path.resolve("model")); // an output folder of nabla 0.1: out/<name>/model/
        }
        Path f = file(path);
        if (Files.isDirectory(path) && !Files.exists(f)) {
            throw new NablaIOException(path, "this folder holds no " + FILE_NAME + "; give the model file (out/<name>/" + FILE_NAME + ")");
        }
        TensorFile tf = Safetensors.read(f);
        Map<String, String> meta = tf.metadata();
        if (!FORMAT.equals(meta.get(KEY_FORMAT))) {
            throw new NablaIOException(f, "not a nabla model file (metadata " + KEY_FORMAT + " is " + meta.get(KEY_FORMAT)
                    + ", expected " + FORMAT + "); a checkpoint? load it with ModelCheckpoint or Checkpoint.load");
        }
        if (!VERSION.equals(meta.get(KEY_VERSION))) {
            if (meta.get(KEY_VERSION) == null && Files.isRegularFile(f.resolveSibling(LEGACY_SPEC_FILE))) return loadLegacy(f.getParent());
            throw new NablaIOException(f, "model layout version " + meta.get(KEY_VERSION) + " is not one this nabla reads ("
                    + VERSION + "); load it with the nabla that wrote it (" + meta.get(KEY_NABLA_VERSION) + ")");
        }
        try {
            Layer model = rebuild(f, JSON.readTree(tf.requireMetadata(KEY_ARCHITECTURE)));
            SavedModel m = new SavedModel(model, ints(f, KEY_INPUT_SHAPE, tf.requireMetadata(KEY_INPUT_SHAPE)));
            m.preprocessing = Preprocessing.of(JSON.readTree(tf.requireMetadata(KEY_PREPROCESSING)));
            if (meta.containsKey(KEY_SPEC)) m.spec = JSON.readTree(meta.get(KEY_SPEC));
            if (meta.containsKey(KEY_EXPERIMENT)) m.experiment = JSON.readTree(meta.get(KEY_EXPERIMENT));
            m.loss = meta.get(KEY_LOSS);
            if (meta.containsKey(KEY_METRICS)) {
                JSON.readTree(meta.get(KEY_METRICS)).fields().forEachRemaining(e -> m.metrics.put(e.getKey(), e.getValue().asDouble()));
            }
            if (meta.containsKey(KEY_SEED)) m.seed = Long.parseLong(meta.get(KEY_SEED));
            m.nablaVersion = meta.getOrDefault(KEY_NABLA_VERSION, "unknown");
            loadWeights(f, model, tf.tensors());
            if (meta.containsKey(KEY_FROZEN)) {
                Map<String, Tensor> params = new LinkedHashMap<>();
                for (Layer.Parameter p : model.allParameters()) params.put(p.name(), p.tensor());
                for (JsonNode n : JSON.readTree(meta.get(KEY_FROZEN))) {
                    Tensor t = params.get(n.asText());
                    if (t == null) throw new IllegalArgumentException("frozen parameter '" + n.asText() + "' is not in the model");
                    t.requiresGrad(false);
                }
            }
            m.file = f;
            m.weightsSha256 = meta.get(Safetensors.KEY_DATA_SHA256);
            if (m.weightsSha256 == null) throw new NablaIOException(f, "the model file has no checksum; save it again with this nabla");
            return m;
        } catch (JsonProcessingException e) {
            throw new NablaIOException(f, "a metadata value is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (RuntimeException e) { // a factory refusing its configuration, an unregistered type, a misfit
            throw new NablaIOException(f, "cannot rebuild the model: " + e.getMessage(), e);
        }
    }

    private static Layer rebuild(Path f, JsonNode d) throws IOException {
        if (!d.isObject() || !d.path("type").isTextual()) {
            throw new NablaIOException(f, "the architecture has a layer without a type: " + d);
        }
        List<Layer> children = new ArrayList<>();
        for (JsonNode c : d.path("children")) children.add(rebuild(f, c));
        @SuppressWarnings("unchecked")
        Map<String, Object> config = d.hasNonNull("config") ? JSON.convertValue(d.get("config"), Map.class) : Map.of();
        return LayerRegistry.create(d.get("type").asText(), config, children);
    }

    private static int[] ints(Path f, String key, String text) throws IOException {
        JsonNode a = JSON.readTree(text);
        if (!a.isArray()) throw new NablaIOException(f, "metadata " + key + " is " + text + ", not an array of sizes");
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).canConvertToInt() || a.get(i).asInt() < 1) throw new NablaIOException(f, "metadata " + key + " is " + text);
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    /** Loads the file's tensors into the rebuilt model (float64 when the file is), after checking they fit exactly. */
    private static void loadWeights(Path f, Layer model, Map<String, Tensor> tensors) throws NablaIOException {
        boolean float64 = !tensors.isEmpty() && tensors.values().stream().filter(t -> t.dtype().isFloating())
                .allMatch(t -> t.dtype() == DType.FLOAT64) && tensors.values().stream().anyMatch(t -> t.dtype().isFloating());
        if (float64) model.toType(DType.FLOAT64);
        Map<String, Tensor> expected = model.stateDict();
        Set<String> missing = new LinkedHashSet<>(expected.keySet());
        missing.removeAll(tensors.keySet());
        Set<String> unexpected = new LinkedHashSet<>(tensors.keySet());
        unexpected.removeAll(expected.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new NablaIOException(f, "the weights do not fit the architecture: missing " + missing + ", unexpected " + unexpected);
        }
        for (var e : expected.entrySet()) {
            Tensor w = tensors.get(e.getKey());
            if (!Arrays.equals(w.shape(), e.getValue().shape()) || w.dtype() != e.getValue().dtype()) {
                throw new NablaIOException(f, "tensor " + e.getKey() + " is " + w.dtype() + " " + Arrays.toString(w.shape())
                        + ", the architecture needs " + e.getValue().dtype() + " " + Arrays.toString(e.getValue().shape()));
            }
        }
        model.loadStateDict(tensors);
        model.eval();
    }

    /** A nabla 0.1 folder: the spec in model.json, the weights beside it; no preprocessing was saved. */
    private static SavedModel loadLegacy(Path dir) throws IOException {
        Path specFile = dir.resolve(LEGACY_SPEC_FILE), weightsFile = dir.resolve(FILE_NAME);
        JsonNode spec;
        try {
            spec = JSON.readTree(Files.readString(specFile, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new NablaIOException(specFile, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        ModelSpec.Built built;
        try {
            built = ModelSpec.build(spec, specFile + " $", new Generator(0));
        } catch (SpecException e) {
            throw new NablaIOException(specFile, e.getMessage(), e);
        }
        TensorFile weights = Safetensors.read(weightsFile);
        loadWeights(weightsFile, built.model(), weights.tensors());
        SavedModel m = new SavedModel(built.model(), built.inputShape());
        m.spec = spec;
        m.legacy = true;
        m.file = weightsFile;
        m.nablaVersion = "0.1";
        return m;
    }

    /** This nabla's version, as written into the files. */
    public static String version() {
        try (InputStream in = SavedModel.class.getResourceAsStream("/dev/nabla/io/version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
