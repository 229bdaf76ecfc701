package dev.nabla.io.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.io.Checkpoint;
import dev.nabla.io.NablaIOException;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.FitOptions;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        assertTrue(e.getMessage().contains("model does not fit") && e.getMessage().contains("'3.bias' is not in the model"), e.getMessage());
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

    private static Map<String, float[]> snapshot(Layer m, Adam opt) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put("model." + k, v.toType(DType.FLOAT32).toFloatArray()));
        opt.stateDict().forEach((k, v) -> out.put("optim." + k, v.toType(DType.FLOAT32).toFloatArray()));
        putStates(out, m.generators());
        return out;
    }

    /** Each generator's state as "rng.i", its 64-bit words as pairs of float bit patterns. */
    static void putStates(Map<String, float[]> out, List<Generator> gens) {
        for (int i = 0; i < gens.size(); i++) {
            long[] st = gens.get(i).state();
            float[] f = new float[st.length * 2];
            for (int j = 0; j < st.length; j++) {
                f[2 * j] = Float.intBitsToFloat((int) st[j]);
                f[2 * j + 1] = Float.intBitsToFloat((int) (st[j] >>> 32));
            }
            out.put("rng." + i, f);
        }
    }

    /** A checkpoint damaged in any part (optimizer state, generator states, bytes) is refused and changes nothing. */
    @Test
    void aDamagedCheckpointIsRefusedBeforeAnythingChanges(@TempDir Path dir) throws IOException {
        Layer m = dropoutMlp(1);
        Path ckpt = dir.resolve("c.safetensors");
        var h = trainer(m, new Adam(m.parameters(), 1e-2)).fit(DATA, new FitOptions().epochs(2).batchSize(16).callbacks(new ModelCheckpoint(ckpt)));
        Checkpoint c = Checkpoint.load(ckpt);

        Map<String, Tensor> badOptim = new LinkedHashMap<>(c.optimizer());
        badOptim.put("0.exp_avg", Tensor.zeros(3, 3));
        new Checkpoint(c.model(), badOptim, c.optimizerName(), c.epoch(), c.extraJson()).save(dir.resolve("optim.safetensors"));
        new Checkpoint(c.model(), c.optimizer(), c.optimizerName(), c.epoch(), c.extraJson().replaceFirst("\\[\"-?\\d+\"", "[\"x\""))
                .save(dir.resolve("rng.safetensors"));
        new Checkpoint(c.model(), c.optimizer(), c.optimizerName(), c.epoch(), "{\"rng\": [[\"0\", \"0\", \"0\", \"0\", \"0\", \"0\"]]}")
                .save(dir.resolve("zeros.safetensors"));
        byte[] b = Files.readAllBytes(ckpt);
        b[b.length - 3] ^= 1;
        Files.write(dir.resolve("flipped.safetensors"), b);

        for (String bad : new String[] {"optim", "rng", "zeros", "flipped"}) {
            Layer fresh = dropoutMlp(9);
            Adam opt = new Adam(fresh.parameters(), 1e-2);
            trainer(fresh, opt).fit(DATA, new FitOptions().epochs(1).batchSize(16)); // some optimizer state to keep
            Map<String, float[]> before = snapshot(fresh, opt);
            Exception e = assertThrows(Exception.class, () -> ModelCheckpoint.resume(dir.resolve(bad + ".safetensors"), fresh, opt));
            assertTrue(e instanceof IllegalArgumentException || e instanceof NablaIOException, bad + ": " + e);
            assertTrue(e.getMessage().contains(bad + ".safetensors"), bad + ": " + e.getMessage());
            Map<String, float[]> after = snapshot(fresh, opt);
            assertEquals(before.keySet(), after.keySet(), bad);
            for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), bad + ": " + k + " changed");
        }

        Layer again = dropoutMlp(9);
        ModelCheckpoint.Resumed r = ModelCheckpoint.restore(ckpt, again, new Adam(again.parameters(), 1e-2), List.of());
        assertEquals(2, r.epoch());
        assertEquals(h.epochs(), r.history());
    }

    /**
     * With a minimum interval, epochs in between are held in memory: nothing is written until the
     * end, which writes the last epoch exactly as a checkpoint after every epoch does; flush writes a
     * held epoch with its end-of-epoch weights even after they changed.
     */
    @Test
    void aMinimumIntervalHoldsEpochsBackAndWritesTheLastOneAtTheEnd(@TempDir Path dir) throws IOException {
        Path every = dir.resolve("every.safetensors"), spaced = dir.resolve("spaced.safetensors");
        Layer a = mlp(1), b = mlp(1);
        trainer(a, new Adam(a.parameters(), 1e-2)).fit(DATA, new FitOptions().epochs(4).batchSize(16).seed(3)
                .callbacks(new ModelCheckpoint(every)));
        ModelCheckpoint held = new ModelCheckpoint(spaced).minInterval(3600);
        List<Boolean> written = new java.util.ArrayList<>();
        trainer(b, new Adam(b.parameters(), 1e-2)).fit(DATA, new FitOptions().epochs(4).batchSize(16).seed(3)
                .callbacks(held, new dev.nabla.train.Callback() {
                    @Override
                    public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
                        written.add(Files.exists(spaced));
                    }
                }));
        assertEquals(List.of(false, false, false, false), written, "held back while training");
        assertArrayEquals(Files.readAllBytes(every), Files.readAllBytes(spaced), "the end writes the last epoch, bitwise");

        // flush after the weights moved on: the file holds the held epoch's weights
        Path flushed = dir.resolve("flushed.safetensors");
        Layer c = mlp(1);
        ModelCheckpoint later = new ModelCheckpoint(flushed).minInterval(3600);
        Trainer t = trainer(c, new Adam(c.parameters(), 1e-2));
        later.onTrainBegin(t);
        later.onEpochEnd(t, 0, Map.of("loss", 1.0));
        Map<String, float[]> atEpochEnd = new LinkedHashMap<>();
        c.stateDict().forEach((k, v) -> atEpochEnd.put(k, v.toFloatArray()));
        try (var s = dev.nabla.tensor.GradMode.noGrad()) {
            for (Tensor p : c.parameters()) p.copyFrom(p.add(1));
        }
        assertTrue(!Files.exists(flushed));
        later.flush();
        Checkpoint saved = Checkpoint.load(flushed);
        assertEquals(1, saved.epoch());
        atEpochEnd.forEach((k, v) -> assertArrayEquals(v, saved.model().get(k).toFloatArray(), k));
        assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint(flushed).minInterval(-1));
    }
}
