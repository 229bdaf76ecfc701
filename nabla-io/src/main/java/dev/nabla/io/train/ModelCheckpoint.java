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
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.History;
import dev.nabla.train.TrainStep;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Saves a {@link Checkpoint} of everything a training step changes (its models, its optimizers'
 * states, the epoch, the history so far, and the states of the generators its models' dropout
 * layers, the step itself (a GAN's latent noise) and any others given, such as a data
 * augmentation's, draw from) at the end of every epoch, or only when a monitored quantity
 * improves; {@link #restore} puts them back and tells {@code fit} where to start
 * ({@code FitOptions.initialEpoch}): with the shuffle, which depends on the seed and epoch alone,
 * the resumed run is then bitwise the uninterrupted one. A restore checks the whole checkpoint
 * (names, shapes, types, the file's checksums) before it changes anything: all or nothing.
 *
 * <p>A step with one model and one optimizer (plain {@code fit}) is saved as before: its tensors
 * under their own names. A step with several ({@link dev.nabla.train.GanStep}) prefixes each
 * tensor with its model's or optimizer's name ({@code generator/0.weight}) and lists the names and
 * optimizer kinds under {@value #STEP_KEY} in the extra JSON, so that a checkpoint of another
 * step is refused by name.
 *
 * <p>With {@link #minInterval}, an epoch that ends less than that long after the last save is
 * kept in memory instead (a copy of its state) and written by the next save that is due, by
 * {@link #flush} or at the end of training: a run of many short epochs (the Runge example's 300
 * epochs of 4 batches) then spends its time training rather than checksumming files, and a crash
 * loses at most that interval.
 */
public final class ModelCheckpoint implements Callback {
    /** The key, in the checkpoint's extra JSON, of the generator states (the models', the step's, then the extra ones). */
    public static final String RNG_KEY = "rng";
    /** The key, in the checkpoint's extra JSON, of the epochs' logs so far. */
    public static final String HISTORY_KEY = "history";
    /** The key, in the checkpoint's extra JSON, of a several-model step's model and optimizer names. */
    public static final String STEP_KEY = "step";
    /** The key, in the checkpoint's extra JSON, of the records given to {@link #state}. */
    public static final String STATE_KEY = "state";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final String monitor;
    private final boolean maximize;
    private double best;
    private List<Generator> generators = List.of();
    private List<Map<String, Double>> before = List.of();
    private final Map<String, Supplier<JsonNode>> state = new LinkedHashMap<>();
    private final List<Map<String, Double>> history = new ArrayList<>();
    private long minIntervalNanos, lastSave;
    private Held pending; // the last finished epoch, not yet written (minInterval)

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

    /** Also saves these generators' states (after the step's), e.g. a training set's augmentation; returns this. */
    public ModelCheckpoint generators(List<Generator> more) {
        generators = List.copyOf(more);
        return this;
    }

    /**
     * Saves at most once per {@code seconds} of training (default 0: after every epoch); an epoch
     * not saved is kept in memory until the next save, {@link #flush} or the end of training. Returns this.
     */
    public ModelCheckpoint minInterval(double seconds) {
        if (!(seconds >= 0 && seconds < 1e9)) {
            throw new IllegalArgumentException("ModelCheckpoint: minimum interval " + seconds + " s must be >= 0");
        }
        minIntervalNanos = (long) (seconds * 1e9);
        return this;
    }

    /** The epochs before this run (a resumed run's {@link Resumed#history()}), kept at the head of the saved history; returns this. */
    public ModelCheckpoint history(List<Map<String, Double>> epochsBefore) {
        before = List.copyOf(epochsBefore);
        return this;
    }

    /**
     * Also saves, under key, what record gives at each save (a training's own records, e.g. a GAN's
     * per-batch curves), given back by {@link Resumed#state()}; returns this.
     */
    public ModelCheckpoint state(String key, Supplier<JsonNode> record) {
        state.put(key, record);
        return this;
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        history.clear();
        history.addAll(before);
        pending = null;
        lastSave = System.nanoTime();
    }

    /** Saves an epoch held back by {@link #minInterval}, if any: call it when training stops on an error. */
    public void flush() {
        if (pending != null) save(pending);
    }

    @Override
    public void onTrainEnd(Trainer trainer, History h) {
        flush();
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
        Parts parts = Parts.of(trainer.step(), generators);
        ObjectNode extra = JSON.createObjectNode();
        Map<String, Tensor> model = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
        String optimizerName;
        if (parts.plain()) {
            model.putAll(parts.models.values().iterator().next().stateDict());
            Optimizer opt = parts.optimizers.values().iterator().next();
            optimizer.putAll(opt.stateDict());
            optimizerName = opt.name();
        } else {
            parts.models.forEach((name, m) -> m.stateDict().forEach((k, v) -> model.put(name + "/" + k, v)));
            parts.optimizers.forEach((name, o) -> o.stateDict().forEach((k, v) -> optimizer.put(name + "/" + k, v)));
            extra.set(STEP_KEY, parts.describe());
            optimizerName = parts.describe().get("optimizers").toString();
        }
        ArrayNode rng = extra.putArray(RNG_KEY);
        for (Generator g : parts.generators) {
            ArrayNode s = rng.addArray();
            for (long w : g.state()) s.add(Long.toString(w)); // the 64-bit words as strings, so that no JSON reader rounds them
        }
        if (!state.isEmpty()) {
            ObjectNode s = extra.putObject(STATE_KEY);
            state.forEach((k, record) -> s.set(k, record.get()));
        }
        if (System.nanoTime() - lastSave < minIntervalNanos) { // not yet: keep a copy, as the weights will change
            pending = new Held(copies(model), copies(optimizer), optimizerName, epoch + 1, extra, history.size());
        } else {
            save(new Held(model, optimizer, optimizerName, epoch + 1, extra, history.size()));
        }
    }

    /** An epoch's checkpoint, its history (the first epochs of {@link #history}) still to be added to its extra JSON. */
    private record Held(Map<String, Tensor> model, Map<String, Tensor> optimizer, String optimizerName, int epoch,
                        ObjectNode extra, int epochs) {}

    private static Map<String, Tensor> copies(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var s = GradMode.noGrad()) {
            tensors.forEach((k, v) -> out.put(k, v.detach().copy()));
        }
        return out;
    }

    private void save(Held c) {
        ArrayNode h = c.extra.putArray(HISTORY_KEY);
        for (Map<String, Double> epochLogs : history.subList(0, c.epochs)) {
            ObjectNode e = h.addObject();
            epochLogs.forEach((k, v) -> {
                if (Double.isFinite(v)) e.put(k, v);
                else e.put(k, v.toString()); // a diverged epoch: JSON has no NaN
            });
        }
        try {
            new Checkpoint(c.model, c.optimizer, c.optimizerName, c.epoch, JSON.writeValueAsString(c.extra)).save(path);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: saving epoch " + c.epoch + " to " + path + " failed", e);
        }
        pending = null;
        lastSave = System.nanoTime();
    }

    /**
     * What {@link #restore} gives: the epochs completed (the initial epoch to resume at), their
     * logs, and the records saved by {@link #state} (by key; empty when none).
     */
    public record Resumed(int epoch, List<Map<String, Double>> history, Map<String, JsonNode> state) {}

    /**
     * Loads the checkpoint at path into model and optimizer (which must be of the kind that
     * saved it) and returns the number of epochs it had completed: the initial epoch to resume at.
     */
    public static int resume(Path path, Layer model, Optimizer optimizer) throws IOException {
        return restore(path, model, optimizer, List.of()).epoch();
    }

    /**
     * Puts model, optimizer, the model's generators and {@code more} generators (those given to
     * {@link #generators} when saving) back to the checkpoint at path, as {@link #restore(Path, TrainStep, List)}.
     */
    public static Resumed restore(Path path, Layer model, Optimizer optimizer, List<Generator> more) throws IOException {
        return restore(path, new Parts(Map.of("model", model), Map.of("optimizer", optimizer), Parts.generators(List.of(model), Map.of(), more)));
    }

    /**
     * Puts every model, optimizer and generator of step, and {@code more} generators (those given
     * to {@link #generators} when saving), back to the checkpoint at path. Everything is read and
     * checked first; if anything does not fit, nothing has changed and the error (a
     * {@link NablaIOException} for a damaged file, an {@link IllegalArgumentException} for a
     * checkpoint of another step, model or optimizer) says what.
     */
    public static Resumed restore(Path path, TrainStep step, List<Generator> more) throws IOException {
        return restore(path, Parts.of(step, more));
    }

    private static Resumed restore(Path path, Parts parts) throws IOException {
        Checkpoint c = Checkpoint.load(path); // checksums verified
        Path file = Checkpoint.file(path);
        JsonNode extra = c.extra();
        Map<String, Map<String, Tensor>> models = new LinkedHashMap<>(), optimizers = new LinkedHashMap<>(); // by name
        JsonNode saved = extra.get(STEP_KEY);
        if (parts.plain()) {
            if (saved != null) {
                throw new IllegalArgumentException("ModelCheckpoint.resume: " + file + " holds a training step of models "
                        + saved.get("models") + ", not one model with one optimizer; resume it with the step that saved it");
            }
            Optimizer opt = parts.optimizers.values().iterator().next();
            if (c.optimizerName() == null || !c.optimizerName().equals(opt.name())) {
                throw new IllegalArgumentException("ModelCheckpoint.resume: " + path + " holds the state of optimizer "
                        + c.optimizerName() + ", not of " + opt.name());
            }
            models.put(parts.models.keySet().iterator().next(), c.model());
            optimizers.put(parts.optimizers.keySet().iterator().next(), c.optimizer());
        } else {
            if (!parts.describe().equals(saved)) {
                throw new IllegalArgumentException("ModelCheckpoint.resume: " + file + " holds "
                        + (saved == null ? "one model with one optimizer (a plain fit's checkpoint)" : "the step " + saved)
                        + ", but this step is " + parts.describe() + "; resume with the step that saved it");
            }
            parts.models.keySet().forEach(name -> models.put(name, part(c.model(), name)));
            parts.optimizers.keySet().forEach(name -> optimizers.put(name, part(c.optimizer(), name)));
            int named = models.values().stream().mapToInt(Map::size).sum() + optimizers.values().stream().mapToInt(Map::size).sum();
            if (named != c.model().size() + c.optimizer().size()) {
                throw new NablaIOException(file, "it holds tensors of no model or optimizer of the step " + parts.describe());
            }
        }
        for (var e : parts.models.entrySet()) checkFits(file, e.getKey(), e.getValue(), models.get(e.getKey()));
        long[][] states = rngStates(file, extra.get(RNG_KEY), parts.generators.size());
        List<Map<String, Double>> history = history(file, extra.get(HISTORY_KEY));
        Map<String, JsonNode> records = new LinkedHashMap<>();
        JsonNode s = extra.get(STATE_KEY);
        if (s != null) s.fields().forEachRemaining(e -> records.put(e.getKey(), e.getValue()));
        if (c.epoch() > Integer.MAX_VALUE) throw new NablaIOException(file, "epoch " + c.epoch() + " is out of range");

        // each optimizer checks its state before it changes; one that refuses undoes those loaded before it
        List<Map.Entry<Optimizer, Map<String, Tensor>>> loaded = new ArrayList<>();
        for (var e : optimizers.entrySet()) {
            Optimizer opt = parts.optimizers.get(e.getKey());
            Map<String, Tensor> was = opt.stateDict();
            try {
                opt.loadStateDict(e.getValue());
            } catch (RuntimeException ex) {
                for (var l : loaded) l.getKey().loadStateDict(l.getValue());
                throw new IllegalArgumentException("ModelCheckpoint.resume: " + file + ": the optimizer state does not fit: "
                        + ex.getMessage() + "; nothing was changed", ex);
            }
            loaded.add(Map.entry(opt, was));
        }
        models.forEach((name, state) -> parts.models.get(name).loadStateDict(state)); // checked above: cannot fail
        for (int i = 0; states != null && i < parts.generators.size(); i++) parts.generators.get(i).setState(states[i]);
        return new Resumed((int) c.epoch(), history, Collections.unmodifiableMap(records));
    }

    private static Map<String, Tensor> part(Map<String, Tensor> tensors, String name) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(name + "/")) out.put(k.substring(name.length() + 1), v);
        });
        return out;
    }

    // the names, shapes and types of the model's state, all checked before any model changes
    private static void checkFits(Path file, String name, Layer model, Map<String, Tensor> state) {
        Map<String, Tensor> own = model.stateDict();
        List<String> problems = new ArrayList<>();
        for (String k : own.keySet()) if (!state.containsKey(k)) problems.add("'" + k + "' is missing");
        for (var e : state.entrySet()) {
            Tensor mine = own.get(e.getKey());
            if (mine == null) problems.add("'" + e.getKey() + "' is not in the model");
            else if (!Arrays.equals(mine.shape(), e.getValue().shape()) || mine.dtype() != e.getValue().dtype()) {
                problems.add("'" + e.getKey() + "' is " + e.getValue().dtype() + " " + Arrays.toString(e.getValue().shape())
                        + ", the model's " + mine.dtype() + " " + Arrays.toString(mine.shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("ModelCheckpoint.resume: " + file + ": " + name + " does not fit: "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : "")
                    + "; was it saved from another architecture? nothing was changed");
        }
    }

    // every state parsed and tried on a scratch generator, so that setting them later cannot fail
    private static long[][] rngStates(Path file, JsonNode rng, int expected) throws NablaIOException {
        if (rng == null) return null;
        if (!rng.isArray() || rng.size() != expected) {
            throw new IllegalArgumentException("ModelCheckpoint.resume: " + file + " holds the state of " + rng.size()
                    + " random generators (dropout's, the step's, augmentation's), but the run draws from " + expected
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
                try {
                    logs.put(e.getKey(), e.getValue().isNumber() ? e.getValue().doubleValue() : Double.parseDouble(e.getValue().asText()));
                } catch (NumberFormatException ex) {
                    throw new NablaIOException(file, "the history's '" + e.getKey() + "' is " + e.getValue() + ", not a number");
                }
            }
            out.add(Collections.unmodifiableMap(logs));
        }
        return out;
    }

    /** What a step changes: its models and optimizers by name, and every generator in the order saved. */
    private record Parts(Map<String, Layer> models, Map<String, Optimizer> optimizers, List<Generator> generators) {
        static Parts of(TrainStep step, List<Generator> more) {
            return new Parts(step.models(), step.optimizers(), generators(step.models().values(), step.generators(), more));
        }

        // the models' (dropout's), then the step's own, then the extra ones
        static List<Generator> generators(Iterable<Layer> models, Map<String, Generator> step, List<Generator> more) {
            List<Generator> out = new ArrayList<>();
            for (Layer m : models) out.addAll(m.generators());
            out.addAll(step.values());
            out.addAll(more);
            return out;
        }

        /** One model and one optimizer: saved under the tensors' own names, as plain fit always was. */
        boolean plain() {
            return models.size() == 1 && optimizers.size() == 1;
        }

        /** {"models": [names], "optimizers": {name: kind}}. */
        ObjectNode describe() {
            ObjectNode o = JSON.createObjectNode();
            ArrayNode m = o.putArray("models");
            models.keySet().forEach(m::add);
            ObjectNode opts = o.putObject("optimizers");
            optimizers.forEach((name, opt) -> opts.put(name, opt.name()));
            return o;
        }
    }
}
