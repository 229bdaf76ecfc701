package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import org.junit.jupiter.api.Test;

class LearningCurvesTest {
    private static final TensorDataset TRAIN = Synthetic.spirals(100, 3, 0.2, new Generator(1));
    private static final TensorDataset VALIDATION = Synthetic.spirals(100, 3, 0.2, new Generator(2));

    private static LearningCurves curves() {
        return new LearningCurves(() -> {
            Generator g = new Generator(0);
            return new Sequential(new Linear(2, 64, g), new ReLU(), new Linear(64, 64, g), new ReLU(), new Linear(64, 3, g));
        }, p -> new Adam(p, 0.01), Losses::crossEntropy, Metric.ACCURACY).epochs(30).batchSize(32);
    }

    @Test
    void accuracyAgainstTrainingSetSize() {
        LearningCurves.Curve c = curves().vsTrainSize(TRAIN, VALIDATION, new double[] {0.1, 0.5, 1.0}, 0);
        assertArrayEquals(new int[] {30, 150, 300}, c.trainSizes());
        assertEquals("accuracy", c.figure());
        // a small training set is learnt by heart but generalizes worse than the whole one
        assertTrue(c.train()[0] >= c.validation()[0], "overfit on 30 examples: " + c.train()[0] + " vs " + c.validation()[0]);
        assertTrue(c.validation()[2] > c.validation()[0], "more data generalizes better: " + java.util.Arrays.toString(c.validation()));
        assertTrue(c.validation()[2] > 0.8, "spirals are learnt: " + c.validation()[2]);
        // deterministic
        assertArrayEquals(c.validation(), curves().vsTrainSize(TRAIN, VALIDATION, new double[] {0.1, 0.5, 1.0}, 0).validation());
    }

    @Test
    void strongL2RegularizationUnderfits() {
        LearningCurves.Curve c = curves().vsL2(TRAIN, VALIDATION, new double[] {0, 1.0});
        assertEquals("L2 strength", c.varied());
        assertTrue(c.train()[0] > 0.8, "no L2: " + c.train()[0]);
        assertTrue(c.train()[1] < 0.6, "λ = 1 shrinks every weight to about 0: " + c.train()[1]);
    }

    @Test
    void theL2PenaltyIsLambdaTimesTheSumOfSquaredWeights() {
        Generator g = new Generator(0);
        Sequential net = new Sequential(new Linear(2, 3, g), new Linear(3, 1, g));
        double sum = 0;
        for (int i : new int[] {0, 1}) sum += ((Linear) net.get(i)).weight().square().sum().item();
        assertEquals(0.01 * sum, LearningCurves.l2Penalty(net, 0.01).item(), 1e-7);
    }
}
