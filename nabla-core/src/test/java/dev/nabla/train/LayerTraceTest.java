package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.AvgPool2d;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.Dropout;
import dev.nabla.nn.Dropout2d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GELU;
import dev.nabla.nn.GlobalAvgPool2d;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Every layer's hand-written backward rule in {@link LayerTrace} against autograd, in float64. */
class LayerTraceTest {
    private static void assertAgrees(LayerTrace.Result r, int steps, String... phrases) {
        String text = r.text();
        assertEquals(steps, r.steps().size(), text);
        assertTrue(r.maxDifference() < 1e-12, "largest difference " + r.maxDifference() + "\n" + text);
        for (LayerTrace.Step s : r.steps()) assertTrue(s.maxDifference() < 1e-12, s.title() + ": " + s.maxDifference());
        for (String p : phrases) assertTrue(text.contains(p), "missing '" + p + "' in\n" + text);
    }

    @Test
    void aConvolutionalClassifierWithSoftmaxCrossEntropy() {
        Generator g = new Generator(3);
        Sequential cnn = new Sequential(
                new Conv2d(2, 3, 3, 1, 1, g), new BatchNorm2d(3), new ReLU(), new MaxPool2d(2),
                Conv2d.builder(3, 4, 2).stride(1).dilation(2).padding(1).generator(g).build(), new Tanh(),
                new AvgPool2d(new int[] {2}, new int[] {1}, new int[] {1}, false), new Dropout2d(0.25, g),
                new Sequential(new Flatten(), new Linear(4 * 4 * 4, 6, g), new BatchNorm1d(6), new LeakyReLU(0.1), new Dropout(0.3, g)),
                new Linear(6, 3, g));
        Tensor x = Tensor.randn(g, 5, 2, 6, 6);
        Tensor y = Tensor.of(new long[] {0, 2, 1, 1, 0});
        LayerTrace.Result r = LayerTrace.run(cnn, x, y, "cross_entropy");
        assertAgrees(r, 15, "δ = ∂L/∂z = (ŷ − onehot(y)) / N", "y[0,0,", "∂L/∂W[0,0,0,0] = Σ over", "the window's maximum gets ∂L/∂y",
                "each input of the window gets ∂L/∂y / ", "∂L/∂x = γ / (m √(σ² + ε)) · (m g − Σ g − x̂ Σ g x̂)", "channels kept",
                "units kept", "only the shape changes", "f'(z) = 1 if z > 0 else 0.1");
    }

    @Test
    void sigmoidWithBinaryCrossEntropyAndGlobalPooling() {
        Generator g = new Generator(5);
        Sequential net = new Sequential(new Conv2d(1, 2, 3, 2, 0, g), new GlobalAvgPool2d(), new Flatten(), new Linear(2, 1, g), new Sigmoid());
        Tensor x = Tensor.randn(g, 4, 1, 7, 7);
        Tensor y = Tensor.of(new double[] {1, 0, 0, 1}, 4, 1);
        assertAgrees(LayerTrace.run(net, x, y, "bce"), 6, "σ'(z) = ŷ(1 − ŷ) cancels", "each of them gets ∂L/∂y[n,c] / 9");
    }

    @Test
    void mseAndLogitLosses() {
        Generator g = new Generator(1);
        Sequential net = new Sequential(new Linear(3, 4, g), new Sigmoid(), new Linear(4, 2, g));
        Tensor x = Tensor.randn(g, 3, 3);
        assertAgrees(LayerTrace.run(net, x, Tensor.randn(g, 3, 2), "mse"), 4, "∂L/∂ŷ = 2(ŷ − y)/6", "∂L/∂W[0,0] = Σ_n δ[n,0]·x[n,0]");
        assertAgrees(LayerTrace.run(net, x, Tensor.of(new double[] {1, 0, 0, 1, 1, 1}, 3, 2), "bce_with_logits"), 4, "δ = ∂L/∂z = (σ(z) − y)/6");
    }

    @Test
    void anUnknownLayerOrLossIsNamed() {
        Sequential net = new Sequential(new Linear(2, 2), new GELU());
        var e = assertThrows(IllegalArgumentException.class, () -> LayerTrace.run(net, Tensor.zeros(1, 2), Tensor.zeros(1, 2), "mse"));
        assertTrue(e.getMessage().contains("layer 1 is GELU") && e.getMessage().contains("the trace knows Linear"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayerTrace.run(new Sequential(new Linear(2, 2)), Tensor.zeros(1, 2),
                Tensor.zeros(1, 2), "huber"));
        assertTrue(e.getMessage().contains("'huber'") && e.getMessage().contains("cross_entropy"), e.getMessage());
    }
}
