package dev.nabla.io;

import static dev.nabla.io.TensorAssert.assertBitwiseEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Checkpoint}: round trips in both layouts, and a named error for every missing part. */
class CheckpointTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> model() {
        Generator g = new Generator(7);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("0.weight", Tensor.randn(g, 20, 1));
        m.put("0.bias", Tensor.randn(g, 20));
        m.put("2.weight", Tensor.randn(g, DType.FLOAT64, 1, 20));
        return m;
    }

    private static Map<String, Tensor> adamState() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("step", Tensor.of(new long[] {390}).reshape());
        m.put("0.weight.exp_avg", Tensor.full(0.25, 20, 1));
        m.put("0.weight.exp_avg_sq", Tensor.full(1e-8, 20, 1));
        return m;
    }

    private static void assertSame(Checkpoint want, Checkpoint got) {
        assertEquals(want.model().keySet(), got.model().keySet());
        for (var e : want.model().entrySet()) assertBitwiseEquals(e.getValue(), got.model().get(e.getKey()), e.getKey());
        assertEquals(want.optimizer().keySet(), got.optimizer().keySet());
        for (var e : want.optimizer().entrySet()) assertBitwiseEquals(e.getValue(), got.optimizer().get(e.getKey()), e.getKey());
        assertEquals(want.optimizerName(), got.optimizerName());
        assertEquals(want.epoch(), got.epoch());
        assertEquals(want.extra(), got.extra());
    }

    @Test
    void singleFileRoundTrip() throws IOException {
        Checkpoint c = new Checkpoint(model(), adamState(), "Adam", 12,
                "{\"spec\":{\"layers\":[1,20,1]},\"lr\":0.001,\"history\":[0.5,0.25]}");
        Path f = dir.resolve("ckpt.safetensors");
        c.save(f);
        Checkpoint back = Checkpoint.load(f);
        assertSame(c, back);
        assertEquals(0.001, back.extra().get("lr").doubleValue());
        // It is a plain safetensors file with prefixed names.
        TensorFile raw = Safetensors.read(f);
        assertTrue(raw.tensors().containsKey("model.0.weight"));
        assertTrue(raw.tensors().containsKey("optim.step"));
        assertEquals("12", raw.metadata().get("epoch"));
        assertEquals("Adam", raw.metadata().get("optimizer"));
    }

    @Test
    void directoryRoundTripCreatesTheDirectory() throws IOException {
        Checkpoint c = Checkpoint.ofModel(model(), 0);
        Path d = dir.resolve("run1/epoch-0");
        c.save(d);
        assertTrue(Files.isRegularFile(d.resolve(Checkpoint.FILE_NAME)));
        Checkpoint back = Checkpoint.load(d);
        assertSame(c, back);
        assertFalse(back.hasOptimizer());
        assertNull(back.optimizerName());
        assertEquals("{}", back.extraJson());
        c.save(d); // again: replaces
        try (var files = Files.list(d)) {
            assertEquals(Set.of(d.resolve(Checkpoint.FILE_NAME)), Set.copyOf(files.toList()));
        }
    }

    @Test
    void optimizerWithoutStateTensors() throws IOException {
        Checkpoint c = new Checkpoint(model(), Map.of(), "SGD", 3, null);
        Path f = dir.resolve("sgd.safetensors");
        c.save(f);
        Checkpoint back = Checkpoint.load(f);
        assertTrue(back.hasOptimizer());
        assertEquals("SGD", back.optimizerName());
        assertTrue(back.optimizer().isEmpty());
    }

    // ---------------------------------------------------------------- missing or wrong parts

    private NablaIOException fails(Path f, String phrase) {
        NablaIOException e = assertThrows(NablaIOException.class, () -> Checkpoint.load(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "' in: " + e.getMessage());
        return e;
    }

    private Path raw(Map<String, Tensor> tensors, Map<String, String> meta) throws IOException {
        Path f = dir.resolve("raw.safetensors");
        Safetensors.write(f, tensors, meta);
        return f;
    }

    private static Map<String, String> meta(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("nabla.checkpoint", "1");
        m.put("epoch", "1");
        m.put("extra", "{}");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) m.remove(kv[i]);
            else m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static final Map<String, Tensor> ONE = Map.of("model.w", Tensor.ones(2));

    @Test
    void directoryWithoutTheFile() throws IOException {
        Path d = Files.createDirectory(dir.resolve("empty"));
        NablaIOException e = assertThrows(NablaIOException.class, () -> Checkpoint.load(d));
        assertEquals(d + ": this checkpoint directory holds no checkpoint.safetensors", e.getMessage());
    }

    @Test
    void plainWeightsAreNotACheckpoint() throws IOException {
        fails(raw(Map.of("w", Tensor.ones(2)), Map.of()), "not a nabla checkpoint: metadata key 'nabla.checkpoint' is missing");
    }

    @Test
    void unknownLayoutVersion() throws IOException {
        fails(raw(ONE, meta("nabla.checkpoint", "2")), "checkpoint layout version '2' is not one this nabla reads");
    }

    @Test
    void missingOrBadEpoch() throws IOException {
        fails(raw(ONE, meta("epoch", null)), "metadata key 'epoch' is missing");
        fails(raw(ONE, meta("epoch", "three")), "metadata epoch 'three' is not a non-negative integer");
        fails(raw(ONE, meta("epoch", "-1")), "metadata epoch '-1'");
    }

    @Test
    void missingOrBadExtra() throws IOException {
        fails(raw(ONE, meta("extra", null)), "metadata key 'extra' is missing");
        fails(raw(ONE, meta("extra", "{\"a\":")), "metadata extra is not valid JSON");
        fails(raw(ONE, meta("extra", "[1]")), "metadata extra is not a JSON object");
    }

    @Test
    void noModelTensors() throws IOException {
        fails(raw(Map.of("optim.step", Tensor.ones(1)), meta("optimizer", "Adam")), "the checkpoint holds no model tensors");
    }

    @Test
    void tensorOutsideBothSections() throws IOException {
        fails(raw(Map.of("model.w", Tensor.ones(1), "stray", Tensor.ones(1)), meta()),
                "tensor 'stray' belongs to neither the model ('model.') nor the optimizer ('optim.')");
    }

    @Test
    void optimizerStateWithoutItsName() throws IOException {
        fails(raw(Map.of("model.w", Tensor.ones(1), "optim.m", Tensor.ones(1)), meta()),
                "holds optimizer state (1 tensors) but metadata key 'optimizer' naming the optimizer is missing");
    }

    @Test
    void corruptCheckpointFileReportsTheFormatProblem() throws IOException {
        Path f = dir.resolve("c.safetensors");
        Checkpoint.ofModel(model(), 1).save(f);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 10));
        fails(f, "lies beyond the end of the data");
    }

    @Test
    void constructorRejectsInconsistentParts() {
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.ofModel(Map.of(), 0));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.ofModel(model(), -1));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(model(), adamState(), null, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(model(), Map.of(), " ", 1, null));
        var e = assertThrows(IllegalArgumentException.class, () -> new Checkpoint(model(), Map.of(), "SGD", 1, "not json"));
        assertTrue(e.getMessage().contains("extraJson is not valid JSON"), e.getMessage());
    }
}
