package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Batch;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.optim.Adam;
import dev.nabla.optim.Optimizer;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinearDecayTest {
    /** A regression step that records both optimizers' rates as each batch sees them. */
    private static final class Recording implements TrainStep {
        final Layer model;
        final Optimizer adam, sgd;
        final List<double[]> seen = new ArrayList<>();

        Recording() {
            model = new Linear(2, 1, new Generator(0));
            adam = new Adam(model.parameters(), 4e-4);
            sgd = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1);
        }

        @Override
        public Map<String, Double> trainStep(Batch batch, StepContext ctx) {
            seen.add(new double[] {adam.lr(), sgd.lr()});
            return Map.of("loss", ctx.update(adam, Losses.mseLoss(model.forward(batch.inputs()), batch.targets())));
        }

        @Override
        public Map<String, Layer> models() {
            return Map.of("model", model);
        }

        @Override
        public Map<String, Optimizer> optimizers() {
            return Map.of("adam", adam, "sgd", sgd);
        }
    }

    private static TensorDataset data() {
        Generator g = new Generator(1);
        return new TensorDataset(Tensor.randn(g, 8, 2), Tensor.randn(g, 8, 1)); // 4 batches of 2
    }

    @Test
    void eachBatchSeesTheRateOfTheFractionOfTrainingDone() {
        Recording step = new Recording();
        new Trainer(step).fit(data(), new FitOptions().epochs(3).batchSize(2).progress(false)
                .callbacks(new LinearDecay(1.5, 3, step.adam, step.sgd)));
        assertEquals(12, step.seen.size());
        for (int b = 0; b < 12; b++) {
            double t = b / 4.0, f = Math.min(1, (3 - t) / 1.5); // epochs done before batch b
            assertEquals(4e-4 * f, step.seen.get(b)[0], 1e-18, "Adam, batch " + b);
            assertEquals(0.1 * f, step.seen.get(b)[1], 1e-15, "SGD, batch " + b);
        }
        assertEquals(4e-4, step.seen.get(6)[0], 1e-18, "constant until epoch 1.5");
        assertEquals(4e-4 / 6, step.seen.get(11)[0], 1e-18, "the last batch: a quarter epoch before the end");
        assertEquals(0, step.adam.lr(), "0 at the end");
    }

    @Test
    void aResumedTrainingContinuesTheSchedule() {
        Recording whole = new Recording();
        new Trainer(whole).fit(data(), new FitOptions().epochs(3).batchSize(2).progress(false)
                .callbacks(new LinearDecay(0, 3, whole.adam, whole.sgd)));
        Recording resumed = new Recording();
        LinearDecay decay = new LinearDecay(0, 3, resumed.adam, resumed.sgd); // made with the spec's rates
        resumed.adam.setLr(1e-9); // what a checkpoint of the decayed run restores
        new Trainer(resumed).fit(data(), new FitOptions().epochs(3).initialEpoch(2).batchSize(2).progress(false)
                .callbacks(decay));
        for (int b = 0; b < 4; b++) assertEquals(whole.seen.get(8 + b)[0], resumed.seen.get(b)[0], "batch " + (8 + b));
    }

    @Test
    void aDecayThatCannotStartIsRefused() {
        Optimizer sgd = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1);
        for (double from : new double[] {-0.5, 3, 4, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LinearDecay(from, 3, sgd));
            assertTrue(e.getMessage().contains("LinearDecay") && e.getMessage().contains("[0, 3)"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new LinearDecay(0, 3));
    }
}
