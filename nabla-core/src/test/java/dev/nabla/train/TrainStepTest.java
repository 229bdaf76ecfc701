package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Batch;
import dev.nabla.data.TensorDataset;
import dev.nabla.kernel.Parallel;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainStepTest {
    private static final PrintStream SINK = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    /** Two regressors of the same targets, each with its own Adam, plus the gap between them: several named values. */
    private static final class TwoHeads implements TrainStep {
        final Layer a, b;
        final Optimizer oa, ob;

        TwoHeads(long seed) {
            Generator g = new Generator(seed);
            a = new Sequential(new Linear(3, 8, g), new Tanh(), new Linear(8, 1, g));
            b = new Sequential(new Linear(3, 1, g));
            oa = new Adam(a.parameters(), 1e-2);
            ob = new Adam(b.parameters(), 1e-2);
        }

        @Override
        public Map<String, Double> trainStep(Batch batch, StepContext ctx) {
            Map<String, Double> v = new LinkedHashMap<>();
            Tensor pa = a.forward(batch.inputs());
            v.put("a_loss", ctx.update(oa, Losses.mseLoss(pa, batch.targets())));
            // b learns a's predictions (distillation): a's output is detached, so b's update never reaches a
            v.put("b_loss", ctx.update(ob, Losses.mseLoss(b.forward(batch.inputs()), pa.detach())));
            v.put("examples", (double) batch.size());
            return v;
        }

        @Override
        public Map<String, Layer> models() {
            Map<String, Layer> m = new LinkedHashMap<>();
            m.put("a", a);
            m.put("b", b);
            return m;
        }

        @Override
        public Map<String, Optimizer> optimizers() {
            Map<String, Optimizer> m = new LinkedHashMap<>();
            m.put("a", oa);
            m.put("b", ob);
            return m;
        }
    }

    private static TensorDataset data(int n, long seed) {
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, n, 3);
        return new TensorDataset(x, x.sum(1, true).tanh());
    }

    private static float[] weights(Layer m) {
        List<Float> all = new ArrayList<>();
        for (Tensor p : m.parameters()) for (float f : p.toFloatArray()) all.add(f);
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) out[i] = all.get(i);
        return out;
    }

    @Test
    void aCustomStepIsBitwiseReproducibleWhateverTheThreadCount() {
        int old = Parallel.threads();
        List<float[]> weights = new ArrayList<>();
        List<double[]> losses = new ArrayList<>();
        try {
            for (int threads : new int[] {1, 2, 1}) {
                Parallel.setThreads(threads);
                TwoHeads step = new TwoHeads(7);
                History h = new Trainer(step).output(SINK).fit(data(100, 1), new FitOptions().epochs(3).batchSize(16).seed(5));
                weights.add(weights(step.b));
                losses.add(h.get("b_loss"));
            }
        } finally {
            Parallel.setThreads(old);
        }
        for (int i = 1; i < 3; i++) {
            assertArrayEquals(weights.get(0), weights.get(i));
            assertArrayEquals(losses.get(0), losses.get(i));
        }
    }

    @Test
    void everyNamedValueReachesHistoryProgressAndCallbacksAsABatchSizeWeightedMean() {
        List<Map<String, Double>> batchLogs = new ArrayList<>();
        Callback spy = new Callback() {
            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, Map<String, Double> logs) {
                batchLogs.add(logs);
            }
        };
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        TwoHeads step = new TwoHeads(3);
        Trainer trainer = new Trainer(step).output(new PrintStream(printed, true, StandardCharsets.UTF_8));
        // 20 examples in batches of 8, 8, 4: the mean of "examples" weighted by batch size is (8·8 + 8·8 + 4·4) / 20
        History h = trainer.fit(data(20, 2), new FitOptions().epochs(2).batchSize(8).callbacks(spy));
        assertEquals(List.of("a_loss", "b_loss", "examples", "a_lr", "b_lr"), List.copyOf(h.epochs().get(0).keySet()));
        assertEquals((8 * 8 + 8 * 8 + 4 * 4) / 20.0, h.last("examples"), 1e-12);
        assertEquals(6, batchLogs.size());
        assertEquals(8.0, batchLogs.get(0).get("examples"));
        assertEquals(1e-2, h.last("b_lr"));
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("a_loss: ") && out.contains("b_loss: ") && out.contains("b_lr: "), out);
        IllegalStateException e = assertThrows(IllegalStateException.class, trainer::model);
        assertTrue(e.getMessage().contains("[a, b]"), e.getMessage());
        UnsupportedOperationException noTest = assertThrows(UnsupportedOperationException.class,
                () -> trainer.evaluate(data(4, 1), 4));
        assertTrue(noTest.getMessage().contains("testStep"), noTest.getMessage());
    }

    @Test
    void clipGradNormScalesTheGradientBeforeTheUpdateAsComputedByHand() {
        double maxNorm = 0.05, lr = 0.5;
        TensorDataset d = data(6, 4);
        Layer model = new Linear(3, 2, new Generator(9));
        Tensor x = d.inputs();
        Tensor y = Tensor.cat(List.of(d.targets(), d.targets().mul(-1)), 1);
        // by hand, in float64: gradient of the mean squared error, its total norm, the scaled SGD update
        double[] w = model.parameter("weight").toDoubleArray(), b = model.parameter("bias").toDoubleArray();
        double[] xs = x.toDoubleArray(), ys = y.toDoubleArray();
        double[] gw = new double[6], gb = new double[2];
        for (int i = 0; i < 6; i++) {
            for (int o = 0; o < 2; o++) {
                double pred = b[o];
                for (int k = 0; k < 3; k++) pred += w[o * 3 + k] * xs[i * 3 + k];
                double dl = 2 * (pred - ys[i * 2 + o]) / 12;
                gb[o] += dl;
                for (int k = 0; k < 3; k++) gw[o * 3 + k] += dl * xs[i * 3 + k];
            }
        }
        double norm = 0;
        for (double g : gw) norm += g * g;
        for (double g : gb) norm += g * g;
        norm = Math.sqrt(norm);
        assertTrue(norm > 10 * maxNorm, "the test must clip: norm " + norm);
        double coef = maxNorm / (norm + 1e-6);
        new Trainer(model, new SGD(model.parameters(), lr), Losses::mseLoss).output(SINK)
                .fit(x, y, new FitOptions().batchSize(6).clipGradNorm(maxNorm));
        double[] w1 = model.parameter("weight").toDoubleArray(), b1 = model.parameter("bias").toDoubleArray();
        for (int i = 0; i < 6; i++) assertEquals(w[i] - lr * coef * gw[i], w1[i], 1e-6, "weight " + i);
        for (int i = 0; i < 2; i++) assertEquals(b[i] - lr * coef * gb[i], b1[i], 1e-6, "bias " + i);
        assertThrows(IllegalArgumentException.class, () -> new FitOptions().clipGradNorm(0));
    }

    private static Layer generator(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(4, 8, g), new LeakyReLU(0.2), new Linear(8, 6, g), new Tanh());
    }

    private static Layer discriminator(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(6, 8, g), new LeakyReLU(0.2), new Linear(8, 1, g));
    }

    @Test
    void theGanStepIsTheTextbookLoopAndTheDiscriminatorsStepLeavesTheGeneratorAlone() {
        ganStepAsByHand(1);
    }

    @Test
    void oneSidedLabelSmoothingChangesOnlyTheDiscriminatorsTargetForRealImages() {
        ganStepAsByHand(0.9);
        GanStep step = new GanStep(generator(1), discriminator(2), new SGD(generator(1).parameters(), 0.1),
                new SGD(discriminator(2).parameters(), 0.1), 4, new Generator(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> step.realLabel(0));
        assertTrue(e.getMessage().contains("real label 0.0") && e.getMessage().contains("(0, 1]"), e.getMessage());
    }

    private static void ganStepAsByHand(double realLabel) {
        Tensor images = Tensor.rand(new Generator(11), 16, 6).mul(2).sub(1);
        // the step, with the generator trained every second batch
        Layer g = generator(1), d = discriminator(2);
        float[] g0 = weights(g), d0 = weights(d);
        GanStep step = new GanStep(g, d, new SGD(g.parameters(), 0.1), new SGD(d.parameters(), 0.1), 4, new Generator(3))
                .discriminatorSteps(2).realLabel(realLabel);
        List<float[]> afterFirstBatch = new ArrayList<>();
        Callback snapshot = new Callback() {
            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, int batches, Map<String, Double> logs) {
                if (batch == 0) {
                    afterFirstBatch.add(weights(g));
                    afterFirstBatch.add(weights(d));
                    for (Tensor p : g.parameters()) assertNull(p.grad(), "the discriminator's loss reaches G only through detach");
                    assertEquals(List.of("d_loss", "D(x)", "D(G(z))"), List.copyOf(logs.keySet()));
                }
            }
        };
        History h = new Trainer(step).output(SINK)
                .fit(new TensorDataset(images, null), new FitOptions().batchSize(8).shuffle(false).callbacks(snapshot));
        assertArrayEquals(g0, afterFirstBatch.get(0), "D's step does not change G");
        assertNotEquals(java.util.Arrays.toString(d0), java.util.Arrays.toString(afterFirstBatch.get(1)), "D's step changes D");
        assertTrue(h.epochs().get(0).keySet().containsAll(List.of("d_loss", "g_loss", "D(x)", "D(G(z))",
                "generator_lr", "discriminator_lr")));

        // the same by hand
        Layer gm = generator(1), dm = discriminator(2);
        SGD og = new SGD(gm.parameters(), 0.1), od = new SGD(dm.parameters(), 0.1);
        Generator noise = new Generator(3);
        double gLoss = 0;
        for (int batch = 0; batch < 2; batch++) {
            Tensor x = images.slice(0, batch * 8, batch * 8 + 8, 1);
            Tensor z = Tensor.randn(noise, DType.FLOAT32, 8, 4);
            Tensor fake;
            if (batch == 1) {
                fake = gm.forward(z);
            } else {
                try (var s = GradMode.noGrad()) {
                    fake = gm.forward(z);
                }
            }
            Tensor onReal = dm.forward(x).reshape(8), onFake = dm.forward(fake.detach()).reshape(8);
            Tensor real = Tensor.full(DType.FLOAT32, realLabel, 8); // the smoothed target, written out
            Tensor dLoss = Losses.binaryCrossEntropyWithLogits(onReal, real)
                    .add(Losses.binaryCrossEntropyWithLogits(onFake, onFake.zerosLike()));
            od.zeroGrad();
            dLoss.backward();
            od.step();
            if (batch == 1) {
                Tensor judged = dm.forward(fake).reshape(8);
                Tensor l = Losses.binaryCrossEntropyWithLogits(judged, judged.onesLike());
                gLoss = l.item();
                og.zeroGrad();
                l.backward();
                og.step();
            }
        }
        assertArrayEquals(weights(gm), weights(g));
        assertArrayEquals(weights(dm), weights(d));
        assertEquals(gLoss, h.last("g_loss"), 1e-12, "g_loss is averaged over the batches that trained G only");
    }

    @Test
    void aDiscriminatorWithMoreThanOneOutputIsRefusedClearly() {
        Layer g = generator(1);
        Layer d = new Linear(6, 2, new Generator(2));
        GanStep step = new GanStep(g, d, new SGD(g.parameters(), 0.1), new SGD(d.parameters(), 0.1), 4, new Generator(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(step).output(SINK)
                .fit(new TensorDataset(Tensor.zeros(8, 6), null), new FitOptions().batchSize(8)));
        assertTrue(e.getMessage().contains("one logit per image") && e.getMessage().contains("[8, 2]"), e.getMessage());
    }
}
