package dev.nabla.io.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nabla.io.Checkpoint;
import dev.nabla.io.NablaIOException;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves a {@link Checkpoint} (model, optimizer state, epoch, the history so far, and the states of
 * the generators the model's dropout layers and any others given, such as a data augmentation's,
 * draw from) at the end of every epoch, or only when a monitored quantity improves;
 * {@link #restore} puts a model, its generators and an optimizer back to a checkpoint and tells
 * {@code fit} where to start ({@code FitOptions.initialEpoch}): with the shuffle, which depends on
 * the seed and epoch alone, the resumed run is then bitwise the uninterrupted one. A restore
 * checks the whole checkpoint before it changes anything: all or nothing.
 */
public final class ModelCheckpoint implements Callback {
    /** The key, in the checkpoint's extra JSON, of the generator states (dropout's, then the extra ones). */
    public static final String RNG_KEY = "rng";
    /** The key, in the checkpoint's extra JSON, of the epochs' logs so far. */
    public static final String HISTORY_KEY = "history";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final String monitor;
    private final boolean maximize;
    private double best;
    private List<Generator> generators = List.of();
    private List<Map<String, Double>> before = List.of();
    private final List<Map<String, Double>> history = new ArrayList<>();

    /** Saves after every epoch to path (a .safetensors file, or a folder). */
    public ModelCheckpoint(Path path) {
        this(path, null, false);
    }

    /** Saves only when monitor (e.g. "val_loss") improves; maximize for accuracies. */
    public ModelCheckpoint(Path path, String monitor, boolean maximize) {
        this.path = path;
        this.monitor = monitor;
        this.maximize = maximize;
    }

    /** Also saves these generators' states (after the model's), e.g. a training set's augmentation; returns this. */
    public ModelCheckpoint generators(List<Generator> more) {
        generators = List.copyOf(more);
        return this;
    }

    /** The epochs before this run (a resumed run's {@link Resumed#history()}), kept at the head of the saved history; returns this. */
    public ModelCheckpoint history(List<Map<String, Double>> epochsBefore) {
        before = List.copyOf(epochsBefore);
        return this;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        history.clear();
        history.addAll(before);
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        history.add(new LinkedHashMap<>(logs));
        if (monitor != null) {
            Double v = logs.get(monitor);
            if (v == null) {
                throw new IllegalArgumentException("ModelCheckpoint: '" + monitor + "' is not logged; available: " + logs.keySet());
            }
            if (!(maximize ? v > best : v < best)) return;
            best = v;
        }
        Optimizer opt = trainer.optimizer();
        List<Generator> gens = new ArrayList<>(trainer.model().generators());
        gens.addAll(generators);
        try {
            new Checkpoint(trainer.model().stateDict(), opt.stateDict(), opt.name(), epoch + 1, extraJson(gens, history)).save(path);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: saving epoch " + (epoch + 1) + " to " + path + " failed", e);
        }
    }

    /** What {@link #restore} gives: the epochs completed (the initial epoch to resume at) and their logs. */
    public record Resumed(int epoch, List<Map<String, Double>> history) {}

    /**
     * Loads the checkpoint at path into model and optimizer (which must be of the kind that
     * saved it) and returns the number of epochs it had completed: the initial epoch to resume at.
     */
    public static int resume(Path path, Layer model, Optimizer optimizer) throws IOException {
        return restore(path, model, optimizer, List.of()).epoch();
    }

    /**
     * Puts model, optimizer, the model's generators and {@code more} generators (those given to
     * {@link #generators} when saving) back to the checkpoint at path. Everything is read and
     * checked first; if anything does not fit, nothing has changed and the error (a
     * {@link NablaIOException} for a damaged file, an {@link IllegalArgumentException} for a
     * checkpoint of another model or optimizer) says what.
     */
    public static Resumed restore(Path path, Layer model, Optimizer optimizer, List<Generator> more) throws IOException {
        Checkpoint c = Checkpoint.load(path);
        Path file = Checkpoint.file(path);
        if (c.optimizerName() == null || !c.optimizerName().equals(optimizer.name())) {
            throw new IllegalArgumentException("ModelCheckpoint.resume: " + path + " holds the state of optimizer "
                    + c.optimizerName() + ", not of " + optimizer.name());
        }
        List<Generator> gens = new ArrayList<>(model.generators());
        gens.addAll(more);
        JsonNode extra = c.extra();
        long[][] states = rngStates(file, extra.get(RNG_KEY), gens.size());
        List<Map<String, Double>> history = history(file, extra.get(HISTORY_KEY));
        if (c.epoch() > Integer.MAX_VALUE) throw new NablaIOException(file, "epoch " + c.epoch() + " is out of range");

        Map<String, Tensor> modelBefore = copies(model.stateDict());
        model.loadStateDict(c.model()); // checks everything before it copies
        try {
            optimizer.loadStateDict(c.optimizer()); // likewise
        } catch (RuntimeException e) {
            model.loadStateDict(modelBefore);
            throw new IllegalArgumentException("ModelCheckpoint.resume: " + file + ": the optimizer state does not fit: "
                    + e.getMessage() + "; nothing was changed", e);
        }
        for (int i = 0; states != null && i < gens.size(); i++) gens.get(i).setState(states[i]);
        return new Resumed((int) c.epoch(), history);
    }

    private static Map<String, Tensor> copies(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    // every state parsed and tried on a scratch generator, so that setting them later cannot fail
    private static long[][] rngStates(Path file, JsonNode rng, int expected) throws NablaIOException {
        if (rng == null) return null;
        if (!rng.isArray() || rng.size() != expected) {
            throw new IllegalArgumentException("ModelCheckpoint.resume: " + file + " holds the state of " + rng.size()
                    + " random generators (dropout's, augmentation's), but the run draws from " + expected
                    + "; resume the model and data settings that saved it");
        }
        long[][] out = new long[expected][];
        for (int i = 0; i < expected; i++) {
            JsonNode g = rng.get(i);
            try {
                if (!g.isArray()) throw new IllegalArgumentException("not an array");
                out[i] = new long[g.size()];
                for (int j = 0; j < out[i].length; j++) out[i][j] = Long.parseLong(g.get(j).asText());
                new Generator(0).setState(out[i]);
            } catch (IllegalArgumentException e) {
                throw new NablaIOException(file, "random generator state " + i + " (" + g + ") is damaged: " + e.getMessage());
            }
        }
        return out;
    }

    private static List<Map<String, Double>> history(Path file, JsonNode h) throws NablaIOException {
        if (h == null) return List.of();
        if (!h.isArray()) throw new NablaIOException(file, "the history is not an array");
        List<Map<String, Double>> out = new ArrayList<>();
        for (JsonNode epoch : h) {
            Map<String, Double> logs = new LinkedHashMap<>();
            if (!epoch.isObject()) throw new NablaIOException(file, "the history holds " + epoch + ", not an epoch's logs");
            for (var it = epoch.fields(); it.hasNext(); ) {
                var e = it.next();
                logs.put(e.getKey(), e.getValue().isNumber() ? e.getValue().doubleValue() : Double.parseDouble(e.getValue().asText()));
            }
            out.add(Collections.unmodifiableMap(logs));
        }
        return out;
    }

    // {"rng": [[6 numbers as strings], …], "history": [{...}, …]}: the 64-bit words as strings, so that
    // no JSON reader rounds them; non-finite logs (a diverged epoch) as strings too, JSON has no NaN
    private static String extraJson(List<Generator> gens, List<Map<String, Double>> history) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode rng = o.putArray(RNG_KEY);
        for (Generator g : gens) {
            ArrayNode s = rng.addArray();
            for (long w : g.state()) s.add(Long.toString(w));
        }
        ArrayNode h = o.putArray(HISTORY_KEY);
        for (Map<String, Double> logs : history) {
            ObjectNode e = h.addObject();
            logs.forEach((k, v) -> {
                if (Double.isFinite(v)) e.put(k, v);
                else e.put(k, v.toString());
            });
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
