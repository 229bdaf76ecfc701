package dev.nabla.io;

import static dev.nabla.io.TensorAssert.assertBitwiseEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips and the exact byte layout of {@link Safetensors}. */
class SafetensorsTest {
    @TempDir
    Path dir;

    private Map<String, Tensor> roundTrip(Map<String, Tensor> tensors) throws IOException {
        Path f = dir.resolve("t.safetensors");
        Safetensors.write(f, tensors);
        TensorFile back = Safetensors.read(f);
        assertEquals(tensors.keySet(), back.tensors().keySet());
        for (var e : tensors.entrySet()) assertBitwiseEquals(e.getValue(), back.tensors().get(e.getKey()), e.getKey());
        return back.tensors();
    }

    @Test
    void float32RoundTripIsBitwiseIncludingNaNPayloadsAndSignedZeros() throws IOException {
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[1000];
        for (int i = 0; i < a.length; i++) a[i] = Float.intBitsToFloat(r.nextInt()); // any bit pattern
        a[0] = -0.0f;
        a[1] = Float.intBitsToFloat(0x7FC00001);
        a[2] = Float.intBitsToFloat(0x7F800001);
        a[3] = Float.MIN_VALUE;
        a[4] = Float.NEGATIVE_INFINITY;
        roundTrip(Map.of("a", Tensor.of(a, 10, 100)));
    }

    @Test
    void float64AndInt64RoundTripsAreBitwise() throws IOException {
        SplittableRandom r = new SplittableRandom(2);
        double[] d = new double[600];
        long[] l = new long[600];
        for (int i = 0; i < d.length; i++) {
            d[i] = Double.longBitsToDouble(r.nextLong());
            l[i] = r.nextLong();
        }
        d[0] = Double.longBitsToDouble(0x7FF8000000000001L);
        l[0] = Long.MIN_VALUE;
        l[1] = Long.MAX_VALUE;
        l[2] = (1L << 53) + 1; // not representable as a double
        roundTrip(Map.of("d", Tensor.of(d, 2, 3, 100), "l", Tensor.of(l, 600)));
    }

    @Test
    void zeroDimensionalTensorsStayZeroDimensional() throws IOException {
        Map<String, Tensor> back = roundTrip(Map.of(
                "f", Tensor.scalar(DType.FLOAT32, 1.5),
                "d", Tensor.scalar(DType.FLOAT64, Math.PI),
                "l", Tensor.of(new long[] {Long.MIN_VALUE + 1}).reshape()));
        for (Tensor t : back.values()) assertEquals(0, t.dim());
    }

    @Test
    void emptyTensorsKeepTheirShape() throws IOException {
        Map<String, Tensor> back = roundTrip(Map.of(
                "e1", Tensor.zeros(DType.FLOAT32, 0),
                "e2", Tensor.zeros(DType.FLOAT64, 2, 0, 3),
                "e3", Tensor.zeros(DType.INT64, 0, 4),
                "x", Tensor.of(new float[] {7})));
        assertArrayEquals(new int[] {2, 0, 3}, back.get("e2").shape());
    }

    @Test
    void nonContiguousTensorsAreWrittenContiguous() throws IOException {
        Tensor base = Tensor.arange(DType.FLOAT32, 0, 24, 1).reshape(2, 3, 4);
        Tensor perm = base.permute(2, 0, 1);                 // strided
        Tensor sliced = base.slice(2, 0, 4, 2);               // every other column
        Tensor expanded = Tensor.of(new double[] {1, 2, 3}).expand(4, 3); // stride 0
        Tensor transposedLong = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3).t();
        assertFalse(perm.isContiguous() || sliced.isContiguous() || expanded.isContiguous());
        Map<String, Tensor> back = roundTrip(Map.of("perm", perm, "sliced", sliced, "expanded", expanded, "tl", transposedLong));
        assertArrayEquals(new long[] {1, 4, 2, 5, 3, 6}, back.get("tl").toLongArray());
        assertArrayEquals(perm.toFloatArray(), back.get("perm").toFloatArray());
        assertTrue(back.get("perm").isContiguous());
    }

    @Test
    void largeTensorsGoThroughSeveralChunks() throws IOException {
        Tensor big = Tensor.randn(new Generator(3), 3, 1_500_001); // 18 MB, several 4 MB chunks
        Tensor bigD = Tensor.randn(new Generator(4), DType.FLOAT64, 1_000_003);
        roundTrip(Map.of("big", big, "bigD", bigD));
    }

    @Test
    void tensorsThatRequireGradAreSavedByValue() throws IOException {
        Tensor w = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
        roundTrip(Map.of("w", w));
    }

    @Test
    void metadataRoundTripsAndIsSortedForDeterministicBytes() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("zeta", "last");
        meta.put("spec", "{\"layers\":[{\"type\":\"Linear\",\"out\":20}]}");
        meta.put("quote \"β\"", "line\nbreak\ttab \u0001 😀");
        meta.put("empty", "");
        Safetensors.write(f, Map.of("w", Tensor.ones(2, 2)), meta);
        TensorFile back = Safetensors.read(f);
        assertEquals(meta, back.metadata());
        assertEquals(List.of("empty", "quote \"β\"", "spec", "zeta"), List.copyOf(back.metadata().keySet()));
        // Same content in another insertion order: the same bytes.
        Path g = dir.resolve("m2.safetensors");
        Map<String, String> reversed = new LinkedHashMap<>();
        List.copyOf(meta.keySet()).reversed().forEach(k -> reversed.put(k, meta.get(k)));
        Safetensors.write(g, Map.of("w", Tensor.ones(2, 2)), reversed);
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g));
    }

    @Test
    void noMetadataMeansNoMetadataEntry() throws IOException {
        Path f = dir.resolve("n.safetensors");
        Safetensors.write(f, Map.of("w", Tensor.ones(1)));
        assertFalse(new String(Files.readAllBytes(f), StandardCharsets.UTF_8).contains("__metadata__"));
        assertTrue(Safetensors.read(f).metadata().isEmpty());
    }

    // ---- byte-exact agreement with the reference implementation's own tests (safetensors/src/tensor.rs)

    private static byte[] file(String headerJson, int paddedLength, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(paddedLength).array());
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(h);
        for (int i = h.length; i < paddedLength; i++) out.write(' ');
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] floatsLE(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    @Test
    void bytesMatchTheReferenceSerializationTest() throws IOException {
        Path f = dir.resolve("ref.safetensors");
        Safetensors.write(f, Map.of("attn.0", Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3)));
        assertArrayEquals(file("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", 64,
                floatsLE(0, 1, 2, 3, 4, 5)), Files.readAllBytes(f));
    }

    @Test
    void bytesMatchTheReferenceForcedAlignmentTest() throws IOException {
        Path f = dir.resolve("ref.safetensors");
        Safetensors.write(f, Map.of("attn0", Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 1, 2, 3)));
        assertArrayEquals(file("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}", 72,
                floatsLE(0, 1, 2, 3, 4, 5)), Files.readAllBytes(f));
    }

    @Test
    void bytesMatchTheReferenceEmptyTests() throws IOException {
        Path f = dir.resolve("empty.safetensors");
        Safetensors.write(f, Map.of());
        assertArrayEquals(file("{}", 8, new byte[0]), Files.readAllBytes(f));
        Safetensors.write(f, Map.of(), Map.of("framework", "pt"));
        assertArrayEquals(file("{\"__metadata__\":{\"framework\":\"pt\"}}", 40, new byte[0]), Files.readAllBytes(f));
        assertTrue(Safetensors.read(f).tensors().isEmpty());
    }

    @Test
    void tensorsAreOrderedByAlignmentThenNameAndAligned() throws IOException {
        Path f = dir.resolve("o.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("b.f32", Tensor.ones(3));            // odd number of floats
        m.put("a.f32", Tensor.ones(1));
        m.put("c.f64", Tensor.ones(DType.FLOAT64, 3));
        m.put("d.i64", Tensor.zeros(DType.INT64, 2));
        m.put("z\uFF21", Tensor.ones(1));          // UTF-16 order would put it after the emoji
        m.put("z😀", Tensor.ones(1));
        Safetensors.write(f, m);
        Safetensors.Header h = Safetensors.readHeader(f);
        assertEquals(List.of("d.i64", "c.f64", "a.f32", "b.f32", "z\uFF21", "z😀"),
                h.entries().stream().map(Safetensors.Entry::name).toList());
        assertEquals(0, h.dataStart() % 8);
        for (Safetensors.Entry e : h.entries()) assertEquals(0, e.begin() % e.dtype().bytes(), e.name());
        assertEquals(List.copyOf(Safetensors.read(f).tensors().keySet()),
                h.entries().stream().map(Safetensors.Entry::name).toList());
    }

    @Test
    void writeReplacesAnExistingFile() throws IOException {
        Path f = dir.resolve("r.safetensors");
        Safetensors.write(f, Map.of("a", Tensor.ones(100)));
        Safetensors.write(f, Map.of("b", Tensor.zeros(2)));
        assertEquals(List.of("b"), List.copyOf(Safetensors.read(f).tensors().keySet()));
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temporary file left behind");
        }
    }

    @Test
    void writeRejectsBadArguments() {
        Path f = dir.resolve("bad.safetensors");
        var e = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(f, Map.of("__metadata__", Tensor.ones(1))));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("x", null);
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, withNull));
        assertThrows(NoSuchFileException.class, () -> Safetensors.write(dir.resolve("no/such/dir/x.safetensors"), Map.of()));
        assertFalse(Files.exists(f));
    }

    @Test
    void readOfAMissingFileIsTheJdkException() {
        assertThrows(NoSuchFileException.class, () -> Safetensors.read(dir.resolve("missing.safetensors")));
    }

    @Test
    void tensorFileRequireNamesFileTensorAndMismatch() throws IOException {
        Path f = dir.resolve("req.safetensors");
        Safetensors.write(f, Map.of("w", Tensor.ones(2, 3)), Map.of("k", "v"));
        TensorFile tf = Safetensors.read(f);
        assertEquals(2, tf.require("w", DType.FLOAT32, 2, 3).dim());
        var missing = assertThrows(NablaIOException.class, () -> tf.require("b"));
        assertTrue(missing.getMessage().startsWith(f + ": no tensor 'b'"), missing.getMessage());
        var shape = assertThrows(NablaIOException.class, () -> tf.require("w", DType.FLOAT32, 3, 2));
        assertTrue(shape.getMessage().contains("float32 [2, 3], expected float32 [3, 2]"), shape.getMessage());
        var dtype = assertThrows(NablaIOException.class, () -> tf.require("w", DType.FLOAT64, 2, 3));
        assertTrue(dtype.getMessage().contains("expected float64"), dtype.getMessage());
        var meta = assertThrows(NablaIOException.class, () -> tf.requireMetadata("epoch"));
        assertTrue(meta.getMessage().contains("'epoch' is missing"), meta.getMessage());
    }
}
