package dev.nabla.io.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nabla.io.Checkpoint;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.train.Callback;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Saves a {@link Checkpoint} (model, optimizer state, epoch, and the states of the generators the
 * model's dropout layers draw from) at the end of every epoch, or only when a monitored quantity
 * improves; {@link #resume} puts a model, its generators and an optimizer back to a checkpoint and
 * tells {@code fit} where to start ({@code FitOptions.initialEpoch}): with the shuffle, which
 * depends on the seed and epoch alone, the resumed run is then bitwise the uninterrupted one.
 */
public final class ModelCheckpoint implements Callback {
    /** The key, in the checkpoint's extra JSON, of the model's generator states (so that dropout's masks resume too). */
    public static final String RNG_KEY = "rng";

    private final Path path;
    private final String monitor;
    private final boolean maximize;
    private double best;

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

    @Override
    public void onTrainBegin(Trainer trainer) {
        best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        if (monitor != null) {
            Double v = logs.get(monitor);
            if (v == null) {
                throw new IllegalArgumentException("ModelCheckpoint: '" + monitor + "' is not logged; available: " + logs.keySet());
            }
            if (!(maximize ? v > best : v < best)) return;
            best = v;
        }
        Optimizer opt = trainer.optimizer();
        try {
            new Checkpoint(trainer.model().stateDict(), opt.stateDict(), opt.name(), epoch + 1,
                    rngJson(trainer.model().generators())).save(path);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: saving epoch " + (epoch + 1) + " to " + path + " failed", e);
        }
    }

    /**
     * Loads the checkpoint at path into model and optimizer (which must be of the kind that
     * saved it) and returns the number of epochs it had completed: the initial epoch to resume at.
     */
    public static int resume(Path path, Layer model, Optimizer optimizer) throws IOException {
        Checkpoint c = Checkpoint.load(path);
        if (c.optimizerName() == null || !c.optimizerName().equals(optimizer.name())) {
            throw new IllegalArgumentException("ModelCheckpoint.resume: " + path + " holds the state of optimizer "
                    + c.optimizerName() + ", not of " + optimizer.name());
        }
        List<Generator> gens = model.generators();
        JsonNode rng = c.extra().get(RNG_KEY);
        if (rng != null && (!rng.isArray() || rng.size() != gens.size())) {
            throw new IllegalArgumentException("ModelCheckpoint.resume: " + path + " holds the state of " + rng.size()
                    + " random generators (dropout's), but the model draws from " + gens.size() + "; resume the model that saved it");
        }
        model.loadStateDict(c.model());
        optimizer.loadStateDict(c.optimizer());
        for (int i = 0; rng != null && i < gens.size(); i++) {
            long[] state = new long[rng.get(i).size()];
            for (int j = 0; j < state.length; j++) state[j] = Long.parseLong(rng.get(i).get(j).asText());
            gens.get(i).setState(state);
        }
        return Math.toIntExact(c.epoch());
    }

    // {"rng": [[6 numbers as strings], …]}: strings, so that no JSON reader rounds the 64-bit words
    private static String rngJson(List<Generator> gens) {
        StringBuilder sb = new StringBuilder("{\"" + RNG_KEY + "\": [");
        for (int i = 0; i < gens.size(); i++) {
            sb.append(i == 0 ? "[" : ", [");
            long[] state = gens.get(i).state();
            for (int j = 0; j < state.length; j++) sb.append(j == 0 ? "\"" : ", \"").append(state[j]).append('"');
            sb.append(']');
        }
        return sb.append("]}").toString();
    }
}
