package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.io.spec.ModelSpec;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.onnx.Onnx;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nabla export and nabla import, end to end through model folders. */
class OnnxCommandsTest {
    @Test
    void exportThenImport(@TempDir Path dir) throws Exception {
        var json = new ObjectMapper().readTree(Files.readString(Path.of("../examples/runge.json")));
        ModelSpec.Built built = ModelSpec.build(json.get("model"), "runge", new Generator(0));
        new SavedModel(built.model(), built.inputShape()).spec(json.get("model")).save(dir.resolve("runge"));

        var out = CliRun.run("export", dir.resolve("runge/model.safetensors").toString(), "--onnx", dir.resolve("runge.onnx").toString());
        assertEquals(0, out.code(), out.err());
        assertTrue(out.out().contains("opset 17"), out.out());
        Onnx.Imported onnx = Onnx.load(dir.resolve("runge.onnx"));
        assertEquals("runge", onnx.name());

        out = CliRun.run("import", dir.resolve("runge.onnx").toString(), "--out", dir.resolve("back").toString());
        assertEquals(0, out.code(), out.err());
        Tensor x = Tensor.linspace(-1, 1, 7).reshape(7, 1);
        try (var s = GradMode.noGrad()) {
            assertArrayEquals(built.model().forward(x).toFloatArray(), SavedModel.load(dir.resolve("back")).model().forward(x).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void importPytorchCnnAndErrors(@TempDir Path dir) throws Exception {
        var out = CliRun.run("import", "../nabla-onnx/src/test/resources/onnx/cnn_bn.onnx", "--out", dir.resolve("cnn").toString());
        assertEquals(0, out.code(), out.err());
        assertTrue(out.out().contains("pytorch") && out.out().contains("14 layers"), out.out());
        assertEquals(14, SavedModel.load(dir.resolve("cnn")).model().children().size());

        out = CliRun.run("import", "../nabla-onnx/src/test/resources/onnx/embedding.onnx", "--out", dir.resolve("emb").toString());
        assertEquals(0, out.code(), out.err());
        Tensor idx = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
        try (var s = GradMode.noGrad()) {
            assertArrayEquals(new int[] {2, 5}, SavedModel.load(dir.resolve("emb")).model().eval().forward(idx).shape());
        }

        Files.writeString(dir.resolve("bad.onnx"), "not onnx");
        out = CliRun.run("import", dir.resolve("bad.onnx").toString(), "--out", dir.resolve("x").toString());
        assertEquals(1, out.code());
        assertTrue(out.err().startsWith("nabla import: ") && out.err().contains("bad.onnx"), out.err());

        out = CliRun.run("export", dir.resolve("cnn").toString(), "--onnx", dir.resolve("c.onnx").toString(), "--mean", "0.5");
        assertEquals(2, out.code());
        assertTrue(out.err().contains("--std"), out.err());
        out = CliRun.run("export", dir.resolve("cnn").toString(), "--onnx", dir.resolve("c.onnx").toString(), "--mean", "0.5", "--std", "0.25");
        assertEquals(0, out.code(), out.err());
        assertArrayEquals(new double[] {0.5}, Onnx.load(dir.resolve("c.onnx")).normalization().mean());
    }
}
