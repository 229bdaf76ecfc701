package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Init;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.optim.SGD;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class GradientMonitorTest {
    private static final TensorDataset SPIRALS = Synthetic.spirals(64, 2, 0.2, new Generator(1));

    private static Sequential deep(Supplier<Layer> activation, boolean he, int depth, long seed) {
        Generator g = new Generator(seed);
        List<Layer> layers = new ArrayList<>();
        int in = 2;
        for (int i = 0; i < depth; i++) {
            Linear l = new Linear(in, 32, g);
            if (he) {
                Init.kaimingNormal(l.weight(), 0, Init.FanMode.FAN_IN, Init.Nonlinearity.RELU, g);
                Init.zeros(l.bias());
            }
            layers.add(l);
            layers.add(activation.get());
            in = 32;
        }
        layers.add(new Linear(in, 2, g));
        return new Sequential(layers);
    }

    private static GradientMonitor fit(Sequential net, double lr, int epochs, GradientMonitor m) {
        new Trainer(net, new SGD(net.parameters(), lr), Losses::crossEntropy).output(new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream())).fit(SPIRALS, new FitOptions().epochs(epochs).batchSize(32).progress(false)
                .callbacks(m.output(null)));
        return m;
    }

    @Test
    void recordsTheGradientAndWeightNormOfEachLayer() {
        Sequential net = deep(ReLU::new, true, 2, 3);
        // the full-batch gradient at the initial weights, by hand
        Tensor loss = Losses.crossEntropy(net.forward(SPIRALS.inputs()), SPIRALS.targets());
        loss.backward();
        double[] expected = new double[3];
        double[] weights = new double[3];
        for (int l = 0; l < 3; l++) {
            Linear lin = (Linear) net.get(2 * l);
            expected[l] = Math.sqrt(lin.weight().grad().square().sum().item() + lin.bias().grad().square().sum().item());
        }
        net.zeroGrad();
        // lr 0: the weights do not move, so one epoch of full batches measures exactly that gradient
        GradientMonitor m = new GradientMonitor();
        new Trainer(net, new SGD(net.parameters(), 0.0), Losses::crossEntropy)
                .fit(SPIRALS, new FitOptions().epochs(2).batchSize(SPIRALS.size()).progress(false).callbacks(m.output(null)));
        assertEquals(List.of("0", "2", "4"), m.layers());
        assertEquals("2 (Linear)", m.label("2"));
        assertEquals(2, m.epochs().size());
        for (int l = 0; l < 3; l++) {
            Linear lin = (Linear) net.get(2 * l);
            weights[l] = Math.sqrt(lin.weight().square().sum().item() + lin.bias().square().sum().item());
            String name = m.layers().get(l);
            assertEquals(expected[l], m.gradNorms(name)[0], 1e-5 * expected[l], "‖g‖ of layer " + name);
            assertEquals(expected[l], m.gradNorms(name)[1], 1e-5 * expected[l]);
            assertEquals(weights[l], m.weightNorms(name)[1], 1e-5 * weights[l], "‖w‖ of layer " + name);
        }
        assertTrue(m.warnings().isEmpty(), m.warnings().toString());
    }

    @Test
    void aDeepSigmoidNetworkWarnsOfVanishingGradientsAndReluWithHeInitDoesNot() {
        GradientMonitor sigmoid = fit(deep(Sigmoid::new, false, 8, 5), 0.1, 2, new GradientMonitor());
        double first = sigmoid.gradNorms("0")[0], last = sigmoid.gradNorms("16")[0];
        assertTrue(first < 1e-4 * last, "sigmoid: first layer " + first + " vs last " + last);
        assertTrue(sigmoid.warnings().stream().anyMatch(w -> w.contains("vanishing gradients") && w.contains("0 (Linear)")),
                sigmoid.warnings().toString());

        GradientMonitor relu = fit(deep(ReLU::new, true, 8, 5), 0.01, 2, new GradientMonitor());
        double rFirst = relu.gradNorms("0")[0], rLast = relu.gradNorms("16")[0];
        assertTrue(rFirst > 0.05 * rLast, "relu + He: first layer " + rFirst + " vs last " + rLast);
        assertTrue(relu.warnings().isEmpty(), relu.warnings().toString());
    }

    @Test
    void explodingGradientsAreReported() {
        Sequential net = deep(ReLU::new, false, 4, 7);
        try (var s = dev.nabla.tensor.GradMode.noGrad()) {
            for (Tensor p : net.parameters()) p.mulInPlace(40.0);
        }
        GradientMonitor m = fit(net, 1e-9, 1, new GradientMonitor());
        assertTrue(m.gradNorms("0")[0] > 1e3, "‖g‖ " + m.gradNorms("0")[0]);
        assertTrue(m.warnings().stream().anyMatch(w -> w.contains("explode")), m.warnings().toString());
    }

    @Test
    void deadReluUnitsAreCountedOnTheProbe() {
        Sequential net = deep(ReLU::new, true, 2, 9);
        Linear first = (Linear) net.get(0);
        // units 0..15 of the first layer get a bias of −100: never positive on inputs in [−1, 1]
        try (var s = dev.nabla.tensor.GradMode.noGrad()) {
            for (int i = 0; i < 16; i++) first.bias().set(-100, i);
        }
        GradientMonitor m = fit(net, 0.01, 1, new GradientMonitor().probe(SPIRALS.inputs()));
        assertEquals(List.of("1", "3"), m.reluLayers());
        assertEquals(0.5, m.deadFractions("1")[0], 1e-12);
        assertTrue(m.deadFractions("3")[0] < 0.5);

        try (var s = dev.nabla.tensor.GradMode.noGrad()) {
            for (int i = 0; i < 32; i++) first.bias().set(-100, i);
        }
        m = fit(net, 0.01, 1, new GradientMonitor().probe(SPIRALS.inputs()));
        assertEquals(1.0, m.deadFractions("1")[0], 0.0);
        assertTrue(m.warnings().stream().anyMatch(w -> w.contains("100% of the units of ReLU layer 1 are dead")), m.warnings().toString());
    }
}
