package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.data.Dataset;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MicroBatchesTest {
    private static Layer net(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(4, 8, g), new BatchNorm1d(8), new ReLU(), new Dropout(0.3, new Generator(seed + 1)),
                new Linear(8, 3, g));
    }

    private static Dataset data() {
        Generator g = new Generator(7);
        Tensor x = Tensor.randn(g, 48, 4);
        long[] y = new long[48];
        for (int i = 0; i < y.length; i++) y[i] = g.nextLong(3);
        return new TensorDataset(x, Tensor.of(y, 48));
    }

    private static final Loss CE = Losses::crossEntropy;

    @Test
    void splitCutsConsecutiveRunsTheFirstOnesLonger() {
        int[][] parts = MicroBatches.split(new int[] {9, 8, 7, 6, 5, 4, 3}, 3);
        assertArrayEquals(new int[] {9, 8, 7}, parts[0]);
        assertArrayEquals(new int[] {6, 5}, parts[1]);
        assertArrayEquals(new int[] {4, 3}, parts[2]);
        assertEquals(0, MicroBatches.split(new int[] {1, 2}, 4)[3].length);
        assertThrows(IllegalArgumentException.class, () -> MicroBatches.split(new int[] {1}, 0));
    }

    // a leaf holding one float per position, chosen so that the order of additions shows in the bits
    private static MicroBatches.Part leaf(int k) {
        float v = (float) (1.0 / (k + 3) + 1e7 * (k % 2));
        return new MicroBatches.Part(new Object[] {new float[] {v}}, new Object[0], v, new double[0], new double[0]);
    }

    @Test
    void anyCutIntoRunsGivesTheSameBitsAsTheWholeTree() {
        Generator g = new Generator(3);
        for (int m = 1; m <= 19; m++) {
            MicroBatches.TreeSum whole = new MicroBatches.TreeSum();
            for (int k = 0; k < m; k++) whole.push(leaf(k));
            float expected = ((float[]) whole.root().grads[0])[0];
            for (int trial = 0; trial < 10; trial++) {
                // cut [0, m) into random runs, each summed by a "worker", the blocks combined by a "driver"
                MicroBatches.TreeSum driver = new MicroBatches.TreeSum();
                for (int from = 0; from < m; ) {
                    int to = from + 1 + (int) g.nextLong(m - from);
                    MicroBatches.TreeSum worker = new MicroBatches.TreeSum(from);
                    for (int k = from; k < to; k++) worker.push(leaf(k));
                    for (MicroBatches.Block b : worker.blocks()) driver.push(b);
                    from = to;
                }
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(((float[]) driver.root().grads[0])[0]),
                        "m=" + m);
            }
        }
    }

    @Test
    void aBlockOutOfPlaceIsRefused() {
        MicroBatches.TreeSum t = new MicroBatches.TreeSum();
        t.push(leaf(0));
        assertThrows(IllegalArgumentException.class, () -> t.push(new MicroBatches.Block(2, 1, leaf(2))));
        assertThrows(IllegalArgumentException.class, () -> t.push(new MicroBatches.Block(1, 2, leaf(1))));
    }

    private static List<Double> fitLosses(int microBatches, MicroBatches.Engine engine) {
        Layer model = net(1);
        Trainer t = new Trainer(model, new Adam(model.parameters(), 1e-2), CE, Metric.ACCURACY);
        History h = t.fit(data(), new FitOptions().epochs(3).batchSize(16).microBatches(microBatches).engine(engine)
                .seed(5).progress(false));
        List<Double> out = new ArrayList<>();
        for (double v : h.get("loss")) out.add(v);
        for (double v : h.get("accuracy")) out.add(v);
        for (Tensor p : model.stateDict().values()) for (double v : p.toDoubleArray()) out.add(v);
        return out;
    }

    @Test
    void microBatchedTrainingIsReproducibleAndDiffersOnlyByTheDefinedStatistics() {
        assertEquals(fitLosses(4, MicroBatches.LOCAL), fitLosses(4, MicroBatches.LOCAL));
        assertNotEquals(fitLosses(1, MicroBatches.LOCAL), fitLosses(4, MicroBatches.LOCAL)); // batch norm per micro-batch
    }

    /**
     * An engine that computes each run of micro-batches on a model of its own, rebuilt from the
     * step's state as a remote worker would, and combines the workers' blocks: the whole training
     * must have the same bits as the local engine's.
     */
    private static MicroBatches.Engine workers(int count) {
        return (model, loss, metrics, data, micro, globalBatch, seed, step) -> {
            Map<String, Tensor> state = new java.util.LinkedHashMap<>();
            for (var e : model.stateDict().entrySet()) state.put(e.getKey(), e.getValue().copy());
            MicroBatches.TreeSum driver = new MicroBatches.TreeSum();
            int m = micro.length;
            for (int w = 0; w < count; w++) {
                int from = w * m / count, to = (w + 1) * m / count;
                Layer copy = net(99); // other initial weights: everything must come from the state
                copy.loadStateDict(state);
                Map<String, Tensor> buffers = MicroBatches.snapshotBuffers(copy);
                MicroBatches.TreeSum worker = new MicroBatches.TreeSum(from);
                for (int k = from; k < to; k++) {
                    worker.push(MicroBatches.leaf(copy, loss, metrics, data, micro[k], globalBatch, seed, step, k, buffers));
                }
                for (MicroBatches.Block b : worker.blocks()) driver.push(b);
            }
            return driver.root();
        };
    }

    @Test
    void workersGiveTheSameBitsAsOneJvm() {
        List<Double> local = fitLosses(6, MicroBatches.LOCAL);
        assertEquals(local, fitLosses(6, workers(1)));
        assertEquals(local, fitLosses(6, workers(2)));
        assertEquals(local, fitLosses(6, workers(4)));
    }
}
