package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla explain --spec} on networks beyond Linear + mse: every layer's rule, checked against autograd. */
class ExplainLayersTest {
    private static Path spec(Path dir, String layers, String loss) throws IOException {
        StringBuilder csv = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 12; i++) csv.append(i * 0.3 - 1).append(',').append((i * 7 % 5) * 0.5).append(',').append(i % 3 == 0 ? "yes" : "no").append('\n');
        Files.writeString(dir.resolve("toy.csv"), csv);
        Path spec = dir.resolve("toy.json");
        Files.writeString(spec, """
                {"name": "toy", "seed": 1, "model": {"input": [2], "layers": [%s]},
                 "data": {"type": "csv", "file": "%s", "label": "label"},
                 "loss": "%s", "optimizer": {"type": "sgd", "lr": 0.1}, "training": {"epochs": 1, "batchSize": 4}}
                """.formatted(layers, dir.resolve("toy.csv").toString().replace("\\", "\\\\"), loss));
        return spec;
    }

    @Test
    void batchNormDropoutAndSoftmaxCrossEntropy(@TempDir Path dir) throws IOException {
        Path s = spec(dir, """
                {"type": "linear", "units": 5}, {"type": "batchnorm1d"}, {"type": "relu"}, {"type": "dropout", "rate": 0.4},
                {"type": "linear", "units": 2}""", "cross_entropy");
        CliRun.Output r = CliRun.run("explain", "--spec", s.toString(), "--batch", "6");
        assertEquals(0, r.code(), r.err());
        for (String p : new String[] {"on its first 6 training examples", "δ = ∂L/∂z = (ŷ − onehot(y)) / N, with N = 6",
                "layer 3: Dropout(p=0.4)", "∂L/∂x = γ / (m √(σ² + ε)) · (m g − Σ g − x̂ Σ g x̂)", "relu'(z) = 1 if z > 0 else 0",
                "By hand and autograd agree on every gradient: yes"}) {
            assertTrue(r.out().contains(p), "missing '" + p + "' in\n" + r.out());
        }
        r = CliRun.run("explain", "--spec", s.toString(), "--input", "1,2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("first --batch training examples"), r.err());
    }
}
