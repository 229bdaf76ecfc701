package dev.nabla.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.io.Npz;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Embedding;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.GELU;
import dev.nabla.nn.GlobalAvgPool2d;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.onnx.OnnxGraph.OnnxNode;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ONNX files exported by PyTorch (scripts/torch_onnx_fixtures.py) imported and run by nabla, against PyTorch's outputs. */
class OnnxImportTest {
    static final Path FIXTURES = Path.of("src/test/resources/onnx");

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn_bn", "cnn_bn_folded", "vgg", "embedding"})
    void pytorchExportsGiveTorchOutputs(String name) throws Exception {
        Onnx.Imported m = Onnx.load(FIXTURES.resolve(name + ".onnx"));
        Map<String, Tensor> io = Npz.read(FIXTURES.resolve(name + ".npz"));
        assertArrayEquals(java.util.Arrays.copyOfRange(io.get("x").shape(), 1, io.get("x").dim()), m.inputShape());
        double err = OrtRunner.relativeError(OrtRunner.nabla(m.model(), io.get("x")), io.get("y"));
        System.out.printf("PyTorch %s imported by nabla vs PyTorch: max relative error %.3g%n", name, err);
        assertTrue(err <= 1e-5, name + ": relative error " + err);
        assertTrue(m.producer().startsWith("pytorch"), m.producer());
    }

    @Test
    void batchNormsAreImportedAsBatchNorms() throws Exception {
        Sequential cnn = Onnx.load(FIXTURES.resolve("cnn_bn.onnx")).model();
        assertEquals(2, cnn.layers().stream().filter(l -> l instanceof BatchNorm2d).count());
        assertEquals(1, cnn.layers().stream().filter(l -> l instanceof BatchNorm1d).count());
        assertEquals(0.1, ((BatchNorm2d) cnn.get(1)).momentum(), 1e-12, "ONNX's momentum 0.9 is PyTorch's 0.1");
        assertTrue(Onnx.load(FIXTURES.resolve("vgg.onnx")).model().layers().stream().anyMatch(l -> l instanceof GlobalAvgPool2d));
    }

    /** Fine-tuning in Java a model trained in PyTorch: the imported network has gradients and its loss goes down. */
    @Test
    void importedModelTrainsFurther() throws Exception {
        for (String name : List.of("mlp", "cnn_bn")) {
            Onnx.Imported m = Onnx.load(FIXTURES.resolve(name + ".onnx"));
            Tensor x = Npz.read(FIXTURES.resolve(name + ".npz")).get("x");
            Layer model = m.model().train();
            int[] out = model.outputShape(x.shape());
            Tensor labels = Tensor.randint(new Generator(5), 0, out[1], out[0]);
            Adam adam = new Adam(model.parameters(), 1e-2);
            double first = 0, last = 0;
            for (int step = 0; step < 30; step++) {
                adam.zeroGrad();
                Tensor loss = Losses.crossEntropy(model.forward(x), labels); // on the CNN's log-probabilities: the NLL
                loss.backward();
                adam.step();
                if (step == 0) first = loss.item();
                last = loss.item();
            }
            assertTrue(last < 0.5 * first, name + ": loss " + first + " -> " + last);
        }
    }

    /** The CLI's import path: the model spec and weights saved with SavedModel build the same network. */
    @Test
    void savedAsModelFolder(@TempDir Path dir) throws Exception {
        for (String name : List.of("cnn_bn", "vgg")) {
            Onnx.Imported m = Onnx.load(FIXTURES.resolve(name + ".onnx"));
            new SavedModel(m.model(), m.inputShape()).spec(m.spec()).save(dir.resolve(name));
            Layer back = SavedModel.load(dir.resolve(name)).model();
            Tensor x = Npz.read(FIXTURES.resolve(name + ".npz")).get("x");
            assertArrayEquals(OrtRunner.nabla(m.model(), x).toFloatArray(), OrtRunner.nabla(back, x).toFloatArray(), name);
        }
    }

    /** nabla → ONNX → nabla keeps the outputs, the normalization and the name. */
    @Test
    void nablaExportsImportBack() throws Exception {
        Sequential cnn = OnnxExportTest.randomize(OnnxExportTest.spec("fashion-cnn.json"));
        Onnx.Normalization norm = new Onnx.Normalization(new double[] {0.286}, new double[] {0.353});
        Onnx.Imported back = load(Onnx.toBytes(cnn, new int[] {1, 28, 28}, Onnx.ExportOptions.named("fashion-cnn").normalization(norm)));
        assertEquals("fashion-cnn", back.name());
        assertArrayEquals(norm.mean(), back.normalization().mean(), 1e-7);
        assertArrayEquals(norm.std(), back.normalization().std(), 1e-7);
        Tensor x = Tensor.randn(new Generator(3), 2, 1, 28, 28);
        assertTrue(OrtRunner.relativeError(OrtRunner.nabla(back.model(), x), OrtRunner.nabla(cnn, x)) <= 1e-6);

        Sequential mlp = new Sequential(new Linear(3, 4), new GELU(), new Tanh(), new Linear(4, 2));
        Onnx.Imported m = load(Onnx.toBytes(mlp, new int[] {3}, Onnx.ExportOptions.named("mlp")));
        assertNull(m.normalization());
        assertTrue(m.model().get(1) instanceof GELU, "GELU's Erf form is recognized");
        Tensor y = Tensor.randn(new Generator(4), 5, 3);
        assertArrayEquals(OrtRunner.nabla(mlp, y).toFloatArray(), OrtRunner.nabla(m.model(), y).toFloatArray(), 1e-6f);
    }

    /** An Embedding model (int64 input, Gather) comes back as an Embedding with the same weights and outputs. */
    @Test
    void embeddingImportsBack() throws Exception {
        Sequential model = new Sequential(new Embedding(50, 8, 0, 0, 2, false, new Generator(2)), new Flatten(), new Linear(24, 5));
        Onnx.Imported back = load(Onnx.toBytes(model, new int[] {3}, Onnx.ExportOptions.named("embedding")));
        assertTrue(back.model().get(0) instanceof Embedding, back.model().toString());
        assertArrayEquals(new int[] {3}, back.inputShape());
        assertArrayEquals(((Embedding) model.get(0)).weight().toFloatArray(), ((Embedding) back.model().get(0)).weight().toFloatArray());
        Tensor x = OnnxExportTest.indices(4);
        assertArrayEquals(OrtRunner.nabla(model, x).toFloatArray(), OrtRunner.nabla(back.model(), x).toFloatArray());
    }

    /** int64 inputs are read only by a leading Gather on a weight; a Gather elsewhere or along another axis is refused by name. */
    @Test
    void int64InputNeedsALeadingGather() throws Exception {
        OnnxGraph g = OnnxGraph.decode(Onnx.toBytes(new Sequential(new Embedding(50, 8)), new int[] {3}, Onnx.ExportOptions.named("e")));
        OnnxNode gather = g.nodes().get(0);
        var e = assertThrows(OnnxException.class, () -> load(withNode(g, new OnnxNode("Relu", gather.name(), List.of("input"), gather.outputs(), Map.of()))));
        assertTrue(e.getMessage().contains("int64 input") && e.getMessage().contains("Gather"), e.getMessage());
        e = assertThrows(OnnxException.class, () -> load(withNode(g, new OnnxNode("Gather", gather.name(), gather.inputs(), gather.outputs(), Map.of("axis", 1L)))));
        assertTrue(e.getMessage().contains("Gather along axis 1"), e.getMessage());
        // a max-norm Embedding's renormalization at lookup is not imported: an error naming its first op
        byte[] maxNorm = Onnx.toBytes(new Sequential(new Embedding(50, 8, -1, 1, 2, false, new Generator(1))), new int[] {3}, Onnx.ExportOptions.named("e"));
        e = assertThrows(OnnxException.class, () -> load(maxNorm));
        assertTrue(e.getMessage().contains("op ReduceL2 is not supported"), e.getMessage());
    }

    private static byte[] withNode(OnnxGraph g, OnnxNode first) {
        List<OnnxNode> nodes = new java.util.ArrayList<>(g.nodes());
        nodes.set(0, first);
        return new OnnxGraph(g.name(), g.inputs(), g.outputs(), g.initializers(), nodes, g.opset(), g.producerName(), g.producerVersion(), g.metadata()).encode();
    }

    private static Onnx.Imported load(byte[] onnx) throws Exception {
        Path f = Files.createTempFile("nabla", ".onnx");
        try {
            Files.write(f, onnx);
            return Onnx.load(f);
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void unsupportedOpIsNamedWithTheSupportedOnes() throws Exception {
        OnnxGraph g = OnnxGraph.decode(Files.readAllBytes(FIXTURES.resolve("mlp.onnx")));
        List<OnnxNode> nodes = new java.util.ArrayList<>(g.nodes());
        OnnxNode relu = nodes.get(1);
        nodes.set(1, new OnnxNode("Cos", relu.name(), relu.inputs(), relu.outputs(), Map.of()));
        byte[] changed = new OnnxGraph(g.name(), g.inputs(), g.outputs(), g.initializers(), nodes, g.opset(), g.producerName(),
                g.producerVersion(), g.metadata()).encode();
        var e = assertThrows(OnnxException.class, () -> load(changed));
        assertTrue(e.getMessage().contains("op Cos is not supported") && e.getMessage().contains("Conv, ") && e.getMessage().contains("Gemm"), e.getMessage());

        OnnxNode gemm = g.nodes().get(0);
        nodes = new java.util.ArrayList<>(g.nodes());
        nodes.set(0, new OnnxNode("Gemm", gemm.name(), gemm.inputs(), gemm.outputs(), Map.of("transB", 1.0f)));
        byte[] badAttribute = new OnnxGraph(g.name(), g.inputs(), g.outputs(), g.initializers(), nodes, g.opset(), g.producerName(),
                g.producerVersion(), g.metadata()).encode();
        e = assertThrows(OnnxException.class, () -> load(badAttribute));
        assertTrue(e.getMessage().contains("attribute transB must be of ONNX type INT"), e.getMessage());
    }

    @Test
    void notOnnxIsAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.onnx");
        Files.write(f, new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3});
        var e = assertThrows(OnnxException.class, () -> Onnx.load(f));
        assertTrue(e.getMessage().contains("x.onnx") && e.getMessage().contains("not a readable ONNX model"), e.getMessage());
    }

    /** The initializers keep their values through encode and decode (the protobuf codec on its own). */
    @Test
    void codecRoundTrip() {
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("w", Tensor.randn(new Generator(1), 3, 4));
        init.put("shape", Tensor.of(new long[] {-1, 12}, 2));
        OnnxNode node = new OnnxNode("Reshape", "r", List.of("input", "shape"), List.of("output"),
                Map.of("f", 0.25f, "ints", new long[] {1, -2}, "s", "x"));
        OnnxGraph g = new OnnxGraph("g", List.of(new OnnxGraph.Value("input", 1, List.of("batch", 3L))), List.of(), init,
                List.of(node), 17, "nabla", "1", Map.of("k", "v"));
        OnnxGraph back = OnnxGraph.decode(g.encode());
        assertArrayEquals(init.get("w").toFloatArray(), back.initializers().get("w").toFloatArray());
        assertArrayEquals(new long[] {-1, 12}, back.initializers().get("shape").toLongArray());
        assertEquals(0.25f, back.nodes().get(0).attributes().get("f"));
        assertArrayEquals(new long[] {1, -2}, (long[]) back.nodes().get(0).attributes().get("ints"));
        assertEquals("x", back.nodes().get(0).attributes().get("s"));
        assertEquals(List.of("batch", 3L), back.inputs().get(0).dims());
        assertEquals("v", back.metadata().get("k"));
    }
}
