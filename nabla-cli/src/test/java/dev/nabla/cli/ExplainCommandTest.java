package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ExplainCommandTest {

    private static void contains(String out, String... parts) {
        for (String p : parts) assertTrue(out.contains(p), "missing '" + p + "' in\n" + out);
    }

    @Test
    void theCourseExamplePrintsTheCourseFigures() {
        CliRun.Output r = CliRun.run("explain");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        contains(out,
                "h  = σ(z1)", "= 0.6224593312",
                "ŷ  = σ(z2)", "= 0.3492223218",
                "L  = ½(y − ŷ)²", "= 0.0113669541",
                "∂ŷ/∂z2  = σ'(z2) = ŷ(1 − ŷ)", "= 0.2272660918",
                "∂h/∂z1  = σ'(z1) = h(1 − h)", "= 0.2350037122",
                "δ2 = ∂L/∂ŷ · σ'(z2)", "= -0.0342666537",
                "δ1 = δ2 · w2 · σ'(z1)",
                "∂L/∂w2 = δ2 · h", "= -0.0213295983",
                "∂L/∂w1 = δ1 · x", "= 0.0080527908",
                "w1 ← w1 − lr·∂L/∂w1", "= 0.4991947209",
                "w2 ← w2 − lr·∂L/∂w2", "= -0.9978670402",
                "Chain rule and autograd agree on every δ, gradient and the loss: yes");
        // the autograd column repeats the figures
        assertTrue(out.matches("(?s).*∂L/∂w2\\s+-0\\.0213295983\\s+-0\\.0213295983.*"), out);
        assertTrue(out.matches("(?s).*∂L/∂w1\\s+0\\.0080527908\\s+0\\.0080527908.*"), out);
    }

    @Test
    void theCourseNetworkOnAnotherExample() {
        CliRun.Output r = CliRun.run("explain", "--input", "2", "--target", "0", "--lr", "1");
        assertEquals(0, r.code(), r.err());
        double h = 1 / (1 + Math.exp(-1.0)), yHat = 1 / (1 + Math.exp(h));
        double g2 = yHat * yHat * (1 - yHat) * h; // (ŷ − 0)·σ'(z2)·h
        contains(r.out(), String.format(java.util.Locale.ROOT, "= %.10f", h), String.format(java.util.Locale.ROOT, "= %.10f", yHat),
                String.format(java.util.Locale.ROOT, "= %.10f", -1 - g2), "agree on every δ, gradient and the loss: yes");
        r = CliRun.run("explain", "--input", "1,2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("takes one value"), r.err());
    }

    @Test
    void theSheetForwardPassForAGivenInput() {
        CliRun.Output r = CliRun.run("explain", "--sheet", "--input", "1,2,3");
        assertEquals(0, r.code(), r.err());
        contains(r.out(), "u1 = 1·2 + 2·1 + 3·(-2) = -2", "u2 = 1·(-1) + 2·(-3) + 3·5 = 8", "h  = ReLU((-2, 8)) = (0, 8)",
                "v1 = 0·6 + 8·(-1) = -8", "v2 = 0·2 + 8·8 = 64", "o = e / sum = (5.380186e-32, 1)",
                "Predicted class: 2", "argmax 1");

        r = CliRun.run("explain", "--sheet", "--input=1,0,0");
        assertEquals(0, r.code(), r.err());
        // u = (2, −1), h = (2, 0), v = (12, 4), o = softmax(12, 4) = (1/(1+e^−8), e^−8/(1+e^−8))
        double o1 = 1 / (1 + Math.exp(-8));
        contains(r.out(), "h  = ReLU((2, -1)) = (2, 0)", "v1 = 2·6 + 0·(-1) = 12", "v2 = 2·2 + 0·8 = 4",
                String.format(java.util.Locale.ROOT, "%.10f", o1), "Predicted class: 1");
    }

    @Test
    void theSheetNeedsThreeInputs() {
        CliRun.Output r = CliRun.run("explain", "--sheet", "--input", "1,2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("3 inputs"), r.err());
    }

    @Test
    void aSpecNetworkIsTracedLayerByLayer() {
        CliRun.Output r = CliRun.run("explain", "--spec", Path.of("..", "examples", "runge.json").toString(),
                "--input", "0.5", "--target", "0.1379310345");
        assertEquals(0, r.code(), r.err());
        contains(r.out(), "layer 1: 1 → 20, tanh", "layer 5: 10 → 1, identity", "δ^[5] = ∂L/∂a^[5] ⊙ f'(z^[5])",
                "δ^[1] = (W^[2]ᵀ δ^[2]) ⊙ f'(z^[1])", "∂L/∂W^[3] = δ^[3] a^[2]ᵀ", "∂L/∂x = W^[1]ᵀ δ^[1]",
                "Chain rule and autograd agree on every δ, gradient and the loss: yes");
    }
}
