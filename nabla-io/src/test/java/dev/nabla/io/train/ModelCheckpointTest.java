package dev.nabla.io.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.Checkpoint;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Generator;
import dev.nabla.train.FitOptions;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCheckpointTest {
    private static final TensorDataset DATA = Synthetic.sample(Synthetic.RUNGE, 64, -1, 1, new Generator(4));

    private static Layer mlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(1, 12, g), new Tanh(), new Linear(12, 1, g));
    }

    private static Trainer trainer(Layer m, Adam opt) {
        return new Trainer(m, opt, Losses::mseLoss).output(new PrintStream(OutputStream.nullOutputStream()));
    }

    /**
     * Trains a model from makeModel(1) for 6 epochs, and another for 3 epochs with a checkpoint,
     * resumed into makeModel(resumeSeed) for the other 3: both must end with the same bits.
     */
    private static Path assertResumedEqualsUninterrupted(LongFunction<Layer> makeModel, long resumeSeed, Path dir)
            throws IOException {
        Layer full = makeModel.apply(1);
        trainer(full, new Adam(full.parameters(), 1e-2)).fit(DATA, new FitOptions().epochs(6).batchSize(16).seed(3));

        Layer first = makeModel.apply(1);
        Path ckpt = dir.resolve("run.safetensors");
        trainer(first, new Adam(first.parameters(), 1e-2))
                .fit(DATA, new FitOptions().epochs(3).batchSize(16).seed(3).callbacks(new ModelCheckpoint(ckpt)));
        assertEquals(3, Checkpoint.load(ckpt).epoch());

        Layer resumed = makeModel.apply(resumeSeed);
        Adam opt = new Adam(resumed.parameters(), 1e-2);
        int start = ModelCheckpoint.resume(ckpt, resumed, opt);
        assertEquals(3, start);
        trainer(resumed, opt).fit(DATA, new FitOptions().epochs(6).initialEpoch(start).batchSize(16).seed(3));
        for (var e : full.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), resumed.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
        }
        return ckpt;
    }

    @Test
    void resumingFromACheckpointFileEqualsAnUninterruptedRun(@TempDir Path dir) throws IOException {
        assertResumedEqualsUninterrupted(ModelCheckpointTest::mlp, 77, dir); // other initial weights: all come from the file
    }

    private static Layer dropoutMlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(1, 16, g), new Tanh(), new Dropout(0.3, g), new Linear(16, 1, g));
    }

    /** Dropout draws its masks from the model's generator: its state is checkpointed, so a resumed run draws the same masks. */
    @Test
    void resumingAModelWithDropoutEqualsAnUninterruptedRun(@TempDir Path dir) throws IOException {
        // resumed with the same seed: its generator restarts from it, and the checkpoint must move it on
        Path ckpt = assertResumedEqualsUninterrupted(ModelCheckpointTest::dropoutMlp, 1, dir);
        var e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.resume(ckpt, mlp(5), new Adam(mlp(5).parameters())));
        assertTrue(e.getMessage().contains("1 random generators") && e.getMessage().contains("draws from 0"), e.getMessage());
    }

    @Test
    void bestOnlySavesWhenTheMonitoredValueImproves(@TempDir Path dir) throws IOException {
        Layer m = mlp(2);
        Path ckpt = dir.resolve("best");
        var h = trainer(m, new Adam(m.parameters(), 1e-2)).fit(DATA, new FitOptions().epochs(8).batchSize(16)
                .validationSplit(0.25).callbacks(new ModelCheckpoint(ckpt, "val_loss", false)));
        double[] val = h.get("val_loss");
        int best = 0;
        for (int i = 1; i < val.length; i++) if (val[i] < val[best]) best = i;
        assertEquals(best + 1, Checkpoint.load(ckpt).epoch());
    }

    @Test
    void resumingWithAnotherOptimizerIsRefused(@TempDir Path dir) throws IOException {
        Layer m = mlp(3);
        Path ckpt = dir.resolve("c.safetensors");
        trainer(m, new Adam(m.parameters(), 1e-2)).fit(DATA, new FitOptions().epochs(1).callbacks(new ModelCheckpoint(ckpt)));
        var e = assertThrows(IllegalArgumentException.class, () -> ModelCheckpoint.resume(ckpt, m, new SGD(m.parameters(), 0.1)));
        assertTrue(e.getMessage().contains("Adam") && e.getMessage().contains("SGD"), e.getMessage());
    }
}
