package dev.nabla.io.spec;

import static dev.nabla.io.TensorAssert.assertBitwiseEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.ConvTranspose2d;
import dev.nabla.nn.Sequential;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image layers of the model spec: building, shape inference, errors, and examples/vgg16.json. */
class ImageLayersSpecTest {
    private static ModelSpec.Built build(String json) throws Exception {
        return ModelSpec.build(new ObjectMapper().readTree(json), "$.model", new Generator(0));
    }

    private static SpecException error(String json) {
        return assertThrows(SpecException.class, () -> build(json));
    }

    private static final String CNN = """
            {"input": [1, 28, 28], "layers": [
              {"type": "conv2d", "filters": 32, "kernel": 3, "padding": "same"},
              {"type": "batchnorm2d"},
              {"type": "relu"},
              {"type": "maxpool2d", "kernel": 2},
              {"type": "conv2d", "filters": 64, "kernel": [3, 3], "stride": 1, "padding": 1, "bias": false, "activation": "relu"},
              {"type": "dropout2d", "rate": 0.1},
              {"type": "avgpool2d", "kernel": 2, "stride": [2, 2]},
              {"type": "flatten"},
              {"type": "linear", "units": 10}]}
            """;

    @Test
    void aSmallCnnBuildsWithInferredShapes() throws Exception {
        ModelSpec.Built b = build(CNN);
        assertArrayEquals(new int[] {1, 28, 28}, b.inputShape());
        assertArrayEquals(new int[] {10}, b.outputShape());
        assertEquals(List.of("conv2d", "batchnorm2d", "relu", "maxpool2d", "conv2d", "relu", "dropout2d", "avgpool2d", "flatten", "linear"),
                b.layerNames());
        Sequential m = b.model();
        assertTrue(m.get(0) instanceof Conv2d && m.get(1) instanceof BatchNorm2d);
        assertEquals(320 + 64 + 18432 + 3136 * 10 + 10, m.trainableParameterCount());
        assertEquals(m.parameterCount(), m.trainableParameterCount(), "no frozen parameters; the running statistics are buffers");
        assertArrayEquals(new int[] {3, 10}, m.forward(Tensor.randn(new Generator(1), 3, 1, 28, 28)).shape());
        String s = m.summary(b.inputShape());
        assertTrue(s.contains("(None, 32, 28, 28)") && s.contains("Non-trainable params: 64"), s);
    }

    @Test
    void aCnnWithBatchNormSavesAndLoadsWithItsRunningStatistics(@TempDir Path dir) throws Exception {
        var json = new ObjectMapper().readTree(CNN);
        ModelSpec.Built b = ModelSpec.build(json, "$.model", new Generator(3));
        b.model().forward(Tensor.randn(new Generator(4), 4, 1, 28, 28)); // training mode: the running statistics move
        new SavedModel(b.model(), b.inputShape()).spec(json).save(dir);
        SavedModel loaded = SavedModel.load(dir);
        Map<String, Tensor> a = b.model().stateDict(), c = loaded.model().stateDict();
        assertEquals(a.keySet(), c.keySet());
        assertTrue(a.containsKey("1.running_mean") && a.containsKey("1.num_batches_tracked"), a.keySet().toString());
        for (String k : a.keySet()) assertBitwiseEquals(a.get(k), c.get(k), k);
        assertEquals(1, (long) c.get("1.num_batches_tracked").item());
    }

    /** A small autoencoder: strided convolutions down, transposed convolutions back up; saved and loaded. */
    @Test
    void anAutoencoderUpsamplesWithTransposedConvolutions(@TempDir Path dir) throws Exception {
        var json = new ObjectMapper().readTree("""
                {"input": [1, 28, 28], "layers": [
                  {"type": "conv2d", "filters": 8, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"},
                  {"type": "conv2d", "filters": 16, "kernel": 3, "stride": 2, "padding": 1, "activation": "relu"},
                  {"type": "conv_transpose2d", "filters": 8, "kernel": 3, "stride": 2, "padding": 1, "outputPadding": 1,
                   "activation": "relu"},
                  {"type": "conv_transpose2d", "filters": 1, "kernel": 4, "stride": 2, "padding": 1, "activation": "sigmoid"}]}""");
        ModelSpec.Built b = ModelSpec.build(json, "$.model", new Generator(5));
        assertArrayEquals(new int[] {1, 28, 28}, b.outputShape());
        assertEquals(List.of("conv2d", "relu", "conv2d", "relu", "conv_transpose2d", "relu", "conv_transpose2d", "sigmoid"),
                b.layerNames());
        assertTrue(b.model().get(4) instanceof ConvTranspose2d);
        assertEquals(80 + 1168 + (16 * 8 * 9 + 8) + (8 * 16 + 1), b.model().trainableParameterCount());
        Tensor x = Tensor.rand(new Generator(6), 2, 1, 28, 28);
        assertArrayEquals(new int[] {2, 1, 28, 28}, b.model().forward(x).shape());
        SavedModel.save(dir, b.model(), b.inputShape());
        assertBitwiseEquals(b.model().forward(x), SavedModel.load(dir).model().forward(x), "output");

        ModelSpec.Built ceil = build("""
                {"input": [2, 7, 7], "layers": [{"type": "maxpool2d", "kernel": 2, "ceilMode": true},
                  {"type": "avgpool2d", "kernel": 3, "stride": 2, "ceilMode": true, "countIncludePad": false}]}""");
        assertArrayEquals(new int[] {2, 2, 2}, ceil.outputShape());  // 7 -> 4 (floor: 3) -> 2 (floor: 1)
        assertArrayEquals(new int[] {1, 2, 2, 2}, ceil.model().forward(Tensor.zeros(1, 2, 7, 7)).shape());

        SpecException pad = error("""
                {"input": [4, 5, 5], "layers": [{"type": "conv_transpose2d", "filters": 2, "kernel": 3, "stride": 2,
                  "outputPadding": 2}]}""");
        assertEquals("$.model.layers[0]", pad.path());
        assertTrue(pad.getMessage().contains("output padding"), pad.getMessage());
    }

    @Test
    void shapeErrorsAppearWhenTheSpecIsRead() {
        SpecException flat = error("""
                {"input": [784], "layers": [{"type": "conv2d", "filters": 8, "kernel": 3}]}""");
        assertEquals("$.model.layers[0]", flat.path());
        assertTrue(flat.getMessage().contains("[channels, height, width]") && flat.getMessage().contains("[1, 28, 28]"), flat.getMessage());

        SpecException small = error("""
                {"input": [1, 8, 8], "layers": [
                  {"type": "maxpool2d", "kernel": 2}, {"type": "maxpool2d", "kernel": 2},
                  {"type": "conv2d", "filters": 4, "kernel": 5}]}""");
        assertEquals("$.model.layers[2]", small.path());
        assertTrue(small.getMessage().contains("layer 2 (conv2d)") && small.getMessage().contains("layer 1 (maxpool2d)")
                && small.getMessage().contains("[1, 2, 2]") && small.getMessage().contains("too small"), small.getMessage());

        SpecException bn = error("""
                {"input": [3, 8, 8], "layers": [{"type": "flatten"}, {"type": "batchnorm2d"}]}""");
        assertTrue(bn.getMessage().contains("4D input") && bn.getMessage().contains("BatchNorm1d"), bn.getMessage());

        SpecException pad = error("""
                {"input": [1, 8, 8], "layers": [{"type": "conv2d", "filters": 4, "kernel": 3, "padding": "full"}]}""");
        assertEquals("$.model.layers[0].padding", pad.path());

        SpecException key = error("""
                {"input": [1, 8, 8], "layers": [{"type": "conv2d", "filters": 4, "kernel_size": 3}]}""");
        assertTrue(key.getMessage().contains("kernel"), key.getMessage());

        SpecException same = error("""
                {"input": [1, 8, 8], "layers": [{"type": "conv2d", "filters": 4, "kernel": 3, "stride": 2, "padding": "same"}]}""");
        assertTrue(same.getMessage().contains("stride 1"), same.getMessage());

        SpecException config = error("""
                {"input": [3, 32, 32], "layers": [{"type": "vgg", "config": "Z", "classes": 2}]}""");
        assertEquals("$.model.layers[0].config", config.path());
        assertTrue(config.getMessage().contains("vgg16"), config.getMessage());
    }

    @Test
    void aVggEntryExpandsIntoTheWholeNetwork() throws Exception {
        ModelSpec.Built b = build("""
                {"input": [3, 32, 32], "layers": [{"type": "vgg", "config": "A", "classes": 10, "hidden": 64, "batchNorm": true}]}""");
        assertArrayEquals(new int[] {10}, b.outputShape());
        assertEquals("conv2d", b.layerNames().get(0));
        assertEquals("batchnorm2d", b.layerNames().get(1));
        assertEquals("linear", b.layerNames().get(b.layerNames().size() - 1));
        assertEquals(b.layerNames().size(), b.model().size());
    }

    @Test
    void theVgg16ExampleHasTheCoursesTable() throws Exception {
        ModelSpec.Built b = ExperimentSpec.readModel(Path.of("..", "examples", "vgg16.json"));
        assertArrayEquals(new int[] {3, 224, 224}, b.inputShape());
        assertArrayEquals(new int[] {2}, b.outputShape());
        String s = b.model().summary(b.inputShape());
        long[] course = {1792, 36928, 73856, 147584, 295168, 590080, 590080, 1180160, 2359808, 2359808, 2359808, 2359808,
                2359808, 102764544, 16781312, 8194};
        int k = 0;
        for (String line : s.split("\n")) {
            if (!line.matches("\\d+ \\(.*")) continue;
            long n = Long.parseLong(line.trim().split("\\s{2,}")[2].replace(",", ""));
            if (n != 0) assertEquals(course[k++], n, line);
        }
        assertEquals(course.length, k, s);
        assertTrue(s.contains("(None, 512, 7, 7)") && s.contains("(None, 25088)"), s);
        assertTrue(s.contains("Total params: 134,268,738\nTrainable params: 134,268,738\nNon-trainable params: 0\n"), s);
    }
}
