package dev.nabla.io;

import static dev.nabla.io.TensorAssert.assertBitwiseEquals;
import static dev.nabla.io.TensorAssert.bits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nabla against an independent Python implementation of safetensors
 * (scripts/check_safetensors.py, numpy + torch; see its header for how to regenerate). CI needs
 * no Python: both directions are pinned by committed fixtures.
 */
class PythonCrossCheckTest {
    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where this test leaves nabla's file for {@code check_safetensors.py from-nabla}. */
    static final Path NABLA_WRITTEN = Path.of("target", "crosscheck", "nabla_written.safetensors");

    private static Path resource(String name) throws URISyntaxException {
        URL url = PythonCrossCheckTest.class.getResource("/safetensors/" + name);
        assertNotNull(url, "test resource safetensors/" + name + "; regenerate with scripts/check_safetensors.py");
        return Path.of(url.toURI());
    }

    private static JsonNode json(String name) throws IOException {
        try (InputStream in = PythonCrossCheckTest.class.getResourceAsStream("/safetensors/" + name)) {
            assertNotNull(in, name);
            return JSON.readTree(in);
        }
    }

    private static float f32(int bits) {
        return Float.intBitsToFloat(bits);
    }

    /** The tensors of check_safetensors.py's recipe() (keep both in sync). */
    static Map<String, Tensor> recipe() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        float[] w = new float[12];
        for (int i = 0; i < 12; i++) w[i] = (i - 5) / 8f;
        t.put("w.f32", Tensor.of(w, 3, 4));
        t.put("w.f32.t", Tensor.arange(DType.FLOAT32, 0, 12, 1).reshape(3, 4).t()); // non-contiguous
        double[] d = new double[24];
        for (int i = 0; i < 24; i++) d[i] = i * 0.1 - 1.0;
        t.put("w.f64", Tensor.of(d, 2, 3, 4));
        t.put("f32.specials", Tensor.of(new float[] {f32(0x7FC00000), f32(0x7FC00001), f32(0x7F800001), f32(0x7F800000),
                f32(0xFF800000), f32(0x80000000), f32(0x00000000), f32(0x00000001), f32(0x7F7FFFFF), f32(0x3F800000)}));
        long[] d64 = {0x7FF8000000000000L, 0x7FF8000000000001L, 0x7FF0000000000001L, 0x7FF0000000000000L,
                0xFFF0000000000000L, 0x8000000000000000L, 0x0000000000000001L, 0x7FEFFFFFFFFFFFFFL};
        double[] sp = new double[d64.length];
        for (int i = 0; i < sp.length; i++) sp[i] = Double.longBitsToDouble(d64[i]);
        t.put("f64.specials", Tensor.of(sp));
        t.put("labels", Tensor.of(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, (1L << 53) + 1, -(1L << 53) - 1, -1, 0}));
        t.put("scalar.f32", Tensor.scalar(DType.FLOAT32, 2.5));
        t.put("scalar.f64", Tensor.scalar(DType.FLOAT64, Math.PI));
        t.put("scalar.i64", Tensor.scalar(DType.INT64, -7));
        t.put("empty.f32", Tensor.zeros(DType.FLOAT32, 0));
        t.put("empty.f64", Tensor.zeros(DType.FLOAT64, 3, 0));
        t.put("empty.i64", Tensor.zeros(DType.INT64, 0, 2, 2));
        t.put("z\uFF21", Tensor.of(new float[] {1}));
        t.put("z\uD83D\uDE00", Tensor.of(new float[] {2}));
        return t;
    }

    static Map<String, String> recipeMetadata() {
        return Map.of("framework", "nabla", "json", "{\"layers\":[1,20,1]}", "quote", "say \"hi\" \u03b2");
    }

    private static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** The element bits as the Python script writes them: unsigned hex, 8 or 16 digits. */
    private static List<String> hexBits(Tensor t) {
        List<String> out = new ArrayList<>();
        for (long b : bits(t)) out.add(t.dtype() == DType.FLOAT32 ? String.format("%08x", b) : String.format("%016x", b));
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    private static Map<String, String> stringMap(JsonNode obj) {
        Map<String, String> m = new LinkedHashMap<>();
        obj.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    @Test
    void nablaWritesExactlyTheBytesPythonCheckedAndValidated() throws Exception {
        Files.createDirectories(NABLA_WRITTEN.getParent());
        Safetensors.write(NABLA_WRITTEN, recipe(), recipeMetadata());
        byte[] written = Files.readAllBytes(NABLA_WRITTEN);
        JsonNode expected = json("nabla_written.expected.json");
        assertEquals(expected.get("sha256").asText(), sha256(written),
                "nabla's file differs from the one scripts/check_safetensors.py from-nabla validated; if the change is"
                        + " intended, re-run the script (see its header) and commit the JSON");
        assertEquals(expected.get("size").asLong(), written.length);
        // What Python read, tensor by tensor, equals what nabla meant to write.
        Map<String, Tensor> recipe = recipe();
        List<String> order = new ArrayList<>();
        for (JsonNode t : expected.get("tensors")) {
            String name = t.get("name").asText();
            order.add(name);
            Tensor want = recipe.get(name);
            assertNotNull(want, name);
            assertEquals(Safetensors.code(want.dtype()), t.get("dtype").asText(), name);
            assertArrayEquals(want.shape(), ints(t.get("shape")), name);
            assertEquals(hexBits(want), strings(t.get("bits")), name);
        }
        assertEquals(recipe.keySet().size(), order.size());
        assertEquals(recipeMetadata(), stringMap(expected.get("metadata")));
        assertEquals(order, List.copyOf(Safetensors.read(NABLA_WRITTEN).tensors().keySet()));
    }

    @Test
    void nablaReadsTheTorchWrittenFileExactly() throws Exception {
        TensorFile f = Safetensors.read(resource("torch_written.safetensors"));
        JsonNode expected = json("torch_written.expected.json");
        assertEquals(stringMap(expected.get("metadata")), f.metadata());
        List<String> order = new ArrayList<>();
        for (JsonNode t : expected.get("tensors")) {
            String name = t.get("name").asText();
            order.add(name);
            Tensor got = f.require(name);
            assertEquals(t.get("dtype").asText(), Safetensors.code(got.dtype()), name);
            assertArrayEquals(ints(t.get("shape")), got.shape(), name);
            assertEquals(strings(t.get("bits")), hexBits(got), name);
        }
        assertEquals(order, List.copyOf(f.tensors().keySet()));
        // Spot checks in plain numbers.
        assertEquals(0, f.require("f32.scalar").dim());
        assertEquals(3.25, f.require("f32.scalar").item());
        assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, (1L << 53) + 1, -(1L << 53) - 1, -1, 0},
                f.require("i64.labels").toLongArray());
        assertArrayEquals(new int[] {2, 0, 3}, f.require("f64.empty2d").shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, f.require("f32.transposed").toFloatArray());
    }

    @Test
    void rewritingTheTorchFileGivesTheSameBytes() throws Exception {
        Path src = resource("torch_written.safetensors");
        TensorFile f = Safetensors.read(src);
        Path copy = dir.resolve("copy.safetensors");
        Safetensors.write(copy, f.tensors(), f.metadata());
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(copy));
        TensorFile again = Safetensors.read(copy);
        for (var e : f.tensors().entrySet()) assertBitwiseEquals(e.getValue(), again.tensors().get(e.getKey()), e.getKey());
    }
}
