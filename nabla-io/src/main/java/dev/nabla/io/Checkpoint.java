package dev.nabla.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A training checkpoint: the model's tensors, the optimizer's state tensors, the epoch, the
 * optimizer's name and a JSON object of anything else (the model spec, the LR schedule, the
 * history...). Generic over {@code Map<String, Tensor>}: a module's or optimizer's state dict
 * goes in and comes out unchanged.
 *
 * <p>On disk it is one safetensors file with SHA-256 checksums of its header and data
 * ({@link Safetensors#writeChecked}, verified on load), so a save is a single atomic rename: a crash never
 * leaves a new model beside an old optimizer state. Tensor names get the prefix
 * {@value #MODEL_PREFIX} or {@value #OPTIMIZER_PREFIX}; the metadata holds
 * {@value #KEY_FORMAT} (the layout version), {@value #KEY_EPOCH}, {@value #KEY_OPTIMIZER} (when
 * there is an optimizer) and {@value #KEY_EXTRA}. The file is a plain safetensors file: Python
 * reads it, and stripping the prefix {@value #MODEL_PREFIX} gives the weights.
 *
 * <p>A path ending in {@code .safetensors} is the file itself; any other path is a directory
 * holding {@value #FILE_NAME} (created on save).
 *
 * @param model the model's tensors by name (at least one)
 * @param optimizer the optimizer's state tensors by name (may be empty, e.g. plain SGD)
 * @param optimizerName the optimizer's name, e.g. "Adam"; null when there is no optimizer
 * @param epoch the number of epochs completed, ≥ 0
 * @param extraJson a JSON object as text; "{}" when null
 */
public record Checkpoint(Map<String, Tensor> model, Map<String, Tensor> optimizer, String optimizerName, long epoch,
        String extraJson) {

    /** Prefix of the model's tensors in the file. */
    public static final String MODEL_PREFIX = "model.";
    /** Prefix of the optimizer's tensors in the file. */
    public static final String OPTIMIZER_PREFIX = "optim.";
    /** The file inside a checkpoint directory. */
    public static final String FILE_NAME = "checkpoint.safetensors";
    /** Metadata key marking a nabla checkpoint; its value is the layout version. */
    public static final String KEY_FORMAT = "nabla.checkpoint";
    /** Metadata key of the epoch. */
    public static final String KEY_EPOCH = "epoch";
    /** Metadata key of the optimizer's name. */
    public static final String KEY_OPTIMIZER = "optimizer";
    /** Metadata key of the extra JSON object. */
    public static final String KEY_EXTRA = "extra";
    /** The layout version written. */
    public static final String FORMAT_VERSION = "1";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checks the parts and copies the maps (unmodifiable, order kept). */
    public Checkpoint {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(optimizer, "optimizer");
        if (model.isEmpty()) throw new IllegalArgumentException("Checkpoint: the model has no tensors");
        if (epoch < 0) throw new IllegalArgumentException("Checkpoint: epoch " + epoch + " is negative");
        if (optimizerName == null && !optimizer.isEmpty()) {
            throw new IllegalArgumentException("Checkpoint: optimizer state without an optimizer name");
        }
        if (optimizerName != null && optimizerName.isBlank()) {
            throw new IllegalArgumentException("Checkpoint: the optimizer name is blank");
        }
        if (extraJson == null) extraJson = "{}";
        String problem = jsonObjectProblem(extraJson);
        if (problem != null) throw new IllegalArgumentException("Checkpoint: extraJson " + problem);
        model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        optimizer = Collections.unmodifiableMap(new LinkedHashMap<>(optimizer));
    }

    /** A checkpoint of a model alone (no optimizer state, no extra). */
    public static Checkpoint ofModel(Map<String, Tensor> model, long epoch) {
        return new Checkpoint(model, Map.of(), null, epoch, null);
    }

    /** True when the checkpoint names an optimizer (its state may still be empty). */
    public boolean hasOptimizer() {
        return optimizerName != null;
    }

    /** The file a checkpoint path means: the path itself for {@code *.safetensors}, else {@code path/}{@value #FILE_NAME}. */
    public static Path file(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        return name.endsWith(".safetensors") ? path : path.resolve(FILE_NAME);
    }

    /** Saves atomically to {@code path} (a {@code .safetensors} file, or a directory that is created if needed). */
    public void save(Path path) throws IOException {
        Path file = file(path);
        if (!file.equals(path)) Files.createDirectories(path);
        Map<String, Tensor> all = new LinkedHashMap<>();
        model.forEach((k, v) -> all.put(MODEL_PREFIX + k, v));
        optimizer.forEach((k, v) -> all.put(OPTIMIZER_PREFIX + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KEY_FORMAT, FORMAT_VERSION);
        meta.put(KEY_EPOCH, Long.toString(epoch));
        if (optimizerName != null) meta.put(KEY_OPTIMIZER, optimizerName);
        meta.put(KEY_EXTRA, extraJson);
        Safetensors.writeChecked(file, all, meta);
    }

    /**
     * Loads a checkpoint saved by {@link #save}. Errors name the file and what is missing or
     * wrong: not a nabla checkpoint, no or a bad epoch, a tensor outside both sections, no model
     * tensors, optimizer state without an optimizer name, extra that is not a JSON object.
     */
    public static Checkpoint load(Path path) throws IOException {
        Path file = file(path);
        if (!file.equals(path) && Files.isDirectory(path) && !Files.exists(file)) {
            throw new NablaIOException(path, "this checkpoint directory holds no " + FILE_NAME);
        }
        TensorFile f = Safetensors.read(file);
        Map<String, String> meta = f.metadata();
        String format = meta.get(KEY_FORMAT);
        if (format == null) {
            throw new NablaIOException(file, "not a nabla checkpoint: metadata key '" + KEY_FORMAT
                    + "' is missing (plain weights? read them with Safetensors.read)");
        }
        if (!format.equals(FORMAT_VERSION)) {
            throw new NablaIOException(file, "checkpoint layout version '" + format + "' is not one this nabla reads ("
                    + FORMAT_VERSION + ")");
        }
        String epochText = f.requireMetadata(KEY_EPOCH);
        long epoch;
        try {
            epoch = Long.parseLong(epochText);
        } catch (NumberFormatException e) {
            epoch = -1;
        }
        if (epoch < 0) throw new NablaIOException(file, "metadata epoch '" + epochText + "' is not a non-negative integer");
        String optimizerName = meta.get(KEY_OPTIMIZER);
        String extra = f.requireMetadata(KEY_EXTRA);
        String problem = jsonObjectProblem(extra);
        if (problem != null) throw new NablaIOException(file, "metadata extra " + problem);

        Map<String, Tensor> model = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
        // File order (dtype, then name), not the order of the maps saved: look tensors up by name.
        for (Map.Entry<String, Tensor> e : f.tensors().entrySet()) {
            String k = e.getKey();
            if (k.startsWith(MODEL_PREFIX)) model.put(k.substring(MODEL_PREFIX.length()), e.getValue());
            else if (k.startsWith(OPTIMIZER_PREFIX)) optimizer.put(k.substring(OPTIMIZER_PREFIX.length()), e.getValue());
            else throw new NablaIOException(file, "tensor '" + k + "' belongs to neither the model ('" + MODEL_PREFIX
                    + "') nor the optimizer ('" + OPTIMIZER_PREFIX + "')");
        }
        if (model.isEmpty()) throw new NablaIOException(file, "the checkpoint holds no model tensors ('" + MODEL_PREFIX + "*')");
        if (!optimizer.isEmpty() && optimizerName == null) {
            throw new NablaIOException(file, "the checkpoint holds optimizer state (" + optimizer.size()
                    + " tensors) but metadata key '" + KEY_OPTIMIZER + "' naming the optimizer is missing");
        }
        if (optimizerName != null && optimizerName.isBlank()) throw new NablaIOException(file, "the optimizer name is blank");
        return new Checkpoint(model, optimizer, optimizerName, epoch, extra);
    }

    /** The extra JSON, parsed. */
    public JsonNode extra() {
        try {
            return JSON.readTree(extraJson);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // checked in the constructor
        }
    }

    /** Null when {@code text} is a JSON object, else what is wrong with it. */
    private static String jsonObjectProblem(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            return n != null && n.isObject() ? null : "is not a JSON object: " + abbreviate(text);
        } catch (JsonProcessingException e) {
            return "is not valid JSON (" + e.getOriginalMessage() + "): " + abbreviate(text);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
