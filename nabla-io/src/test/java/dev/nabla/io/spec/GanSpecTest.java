package dev.nabla.io.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Layer;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.GanStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GanSpecTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    private static GanSpec parse(String json) {
        return GanSpec.parse(json, "t", Path.of("."), null);
    }

    @Test
    void theDcganExampleBuildsTheIssuesRecipeWithItsInitialization() throws IOException {
        Path file = EXAMPLES.resolve("dcgan-fashion.json");
        assertTrue(GanSpec.isGan(file));
        assertFalse(GanSpec.isGan(EXAMPLES.resolve("fashion-cnn.json")));
        GanSpec s = GanSpec.read(file, null);
        assertEquals(100, s.latentSize());
        assertArrayEquals(new int[] {1, 28, 28}, s.generator().outputShape());
        assertArrayEquals(new int[] {1}, s.discriminator().outputShape());
        assertEquals(java.util.List.of("linear", "batchnorm1d", "relu", "unflatten", "conv_transpose2d", "batchnorm2d", "relu",
                "conv_transpose2d", "tanh"), s.generator().layerNames());
        // N(0, 0.02): the 128·64·4·4 transposed-convolution weights have a standard deviation near 0.02
        Layer convT = s.generator().model().children().get(4);
        Tensor w = convT.parameter("weight");
        double std = w.sub(w.mean()).pow(2).mean().sqrt().item();
        assertEquals(0.02, std, 0.001);
        Tensor gamma = s.discriminator().model().children().get(3).parameter("weight");
        assertEquals(1, gamma.mean().item(), 0.01, "BatchNorm scales ~ N(1, 0.02)");
        GanStep step = s.step();
        assertEquals(2, step.optimizers().size());
        assertEquals(8e-4, step.optimizers().get(GanStep.GENERATOR).lr());
        assertEquals(8e-4, step.optimizers().get(GanStep.DISCRIMINATOR).lr());
        assertEquals(4, s.lrDecayFrom(), "both rates fall linearly to 0 from epoch 4");
        assertArrayEquals(new int[] {3, 1, 28, 28}, step.sample(Tensor.zeros(3, 100)).shape());
        assertTrue(GanSpec.read(EXAMPLES.resolve("gan-fashion.json"), null).generator().layerNames().contains("batchnorm1d"));
    }

    private static String spec(String generatorLayers, String discriminatorInput, String extra) {
        return """
                {"type": "gan", "latentSize": 8,
                 "generator": {"input": [8], "layers": [%s]},
                 "discriminator": {"input": %s, "layers": [{"type": "flatten"}, {"type": "linear", "units": 1}]},
                 "data": {"type": "idx", "folder": "x"%s},
                 "generatorOptimizer": "adam", "discriminatorOptimizer": "adam",
                 "training": {"epochs": 1}}
                """.formatted(generatorLayers, discriminatorInput, extra);
    }

    private static final String IMAGE = "{\"type\": \"linear\", \"units\": 16, \"activation\": \"tanh\"},"
            + " {\"type\": \"unflatten\", \"shape\": [1, 4, 4]}";

    @Test
    void mismatchesAreClearErrorsWhenTheSpecIsRead() {
        assertEquals(8, parse(spec(IMAGE, "[1, 4, 4]", "")).latentSize());
        SpecException e = assertThrows(SpecException.class, () -> parse(spec(IMAGE, "[1, 5, 5]", "")));
        assertTrue(e.getMessage().contains("$.discriminator.input") && e.getMessage().contains("[1, 4, 4]"), e.getMessage());
        e = assertThrows(SpecException.class, () -> parse(spec(IMAGE, "[1, 4, 4]", ", \"normalize\": \"auto\"")));
        assertTrue(e.getMessage().contains("[-1, 1]"), e.getMessage());
        e = assertThrows(SpecException.class, () -> parse(spec("{\"type\": \"linear\", \"units\": 15}, {\"type\": \"unflatten\","
                + " \"shape\": [1, 4, 4]}", "[1, 4, 4]", "")));
        assertTrue(e.getMessage().contains("unflatten") && e.getMessage().contains("[15]"), e.getMessage());
        e = assertThrows(SpecException.class, () -> parse(spec(IMAGE, "[1, 4, 4]", "").replace("\"latentSize\": 8",
                "\"latentSize\": 8, \"generatorLoss\": \"minimax\"")));
        assertTrue(e.getMessage().contains("$.generatorLoss") && e.getMessage().contains("non_saturating"), e.getMessage());
        e = assertThrows(SpecException.class, () -> parse(spec(IMAGE, "[1, 4, 4]", "").replace("\"epochs\": 1",
                "\"epochs\": 1, \"generatorEma\": 1.5")));
        assertTrue(e.getMessage().contains("$.training.generatorEma") && e.getMessage().contains("[0, 1)"), e.getMessage());
        GanStep averaged = parse(spec(IMAGE, "[1, 4, 4]", "").replace("\"epochs\": 1", "\"epochs\": 1, \"generatorEma\": 0.99")).step();
        assertTrue(averaged.sampler() != averaged.generator() && averaged.models().containsKey(GanStep.GENERATOR_AVERAGE));
        e = assertThrows(SpecException.class, () -> parse(spec(IMAGE, "[1, 4, 4]", "").replace("\"epochs\": 1",
                "\"epochs\": 1, \"realLabel\": 1.5")));
        assertTrue(e.getMessage().contains("$.training.realLabel") && e.getMessage().contains("(0, 1]"), e.getMessage());
        assertEquals(1, averaged.realLabel());
        assertEquals(0.9, parse(spec(IMAGE, "[1, 4, 4]", "").replace("\"epochs\": 1", "\"epochs\": 1, \"realLabel\": 0.9"))
                .step().realLabel());
        assertTrue(parse(spec(IMAGE, "[1, 4, 4]", "")).lrDecayFrom() < 0, "no decay unless asked");
        assertEquals(0.5, parse(spec(IMAGE, "[1, 4, 4]", "").replace("\"epochs\": 1", "\"epochs\": 1, \"lrDecayFrom\": 0.5"))
                .lrDecayFrom());
        for (String bad : new String[] {"1", "-1", "2.5"}) {
            e = assertThrows(SpecException.class, () -> parse(spec(IMAGE, "[1, 4, 4]", "").replace("\"epochs\": 1",
                    "\"epochs\": 1, \"lrDecayFrom\": " + bad)));
            assertTrue(e.getMessage().contains("$.training.lrDecayFrom") && e.getMessage().contains("[0, 1)"), e.getMessage());
        }
    }

    @Test
    void aModelSpecCanUnflatten(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("m.json"), "{\"name\": \"m\", \"model\": {\"input\": [12], \"layers\": ["
                + "{\"type\": \"unflatten\", \"shape\": [3, 2, 2]}, {\"type\": \"conv2d\", \"filters\": 1, \"kernel\": 2}]}}");
        assertArrayEquals(new int[] {1, 1, 1}, ExperimentSpec.readModel(f).outputShape());
    }
}
