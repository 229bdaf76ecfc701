package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
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

/**
 * .npy and .npz against files NumPy wrote (scripts/numpy_fixtures.py write); the files this test
 * writes into target/numpy-written are read back by NumPy itself (scripts/numpy_fixtures.py check,
 * through {@link PythonCheck}).
 */
class NpyTest {
    static final Path FIXTURES = Path.of("src/test/resources/numpy");
    static final int[] SHAPE = {2, 3, 4};

    /** The script's RECIPE: arange(24) * 0.5 − 3 in shape [2, 3, 4]. */
    static double[] recipe(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.5 - 3;
        return v;
    }

    static long[] ints(long shift) {
        long[] v = new long[24];
        for (int i = 0; i < 24; i++) v[i] = i - 5 + shift;
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4.npy", "f2.npy", "f4_fortran.npy"})
    void float32FromNumpy(String file) throws Exception {
        Tensor t = Npy.read(FIXTURES.resolve(file));
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(SHAPE, t.shape());
        assertArrayEquals(Tensor.of(recipe(24), SHAPE).toFloatArray(), t.toFloatArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"f8.npy", "f8_big_endian.npy"})
    void float64FromNumpy(String file) throws Exception {
        Tensor t = Npy.read(FIXTURES.resolve(file));
        assertEquals(DType.FLOAT64, t.dtype());
        assertArrayEquals(SHAPE, t.shape());
        assertArrayEquals(recipe(24), t.toDoubleArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"i8.npy", "i8_fortran.npy", "i4.npy", "i2.npy", "i1.npy", "u1.npy", "u2.npy", "u4_big_endian.npy", "u8.npy"})
    void integersFromNumpyAreInt64(String file) throws Exception {
        Tensor t = Npy.read(FIXTURES.resolve(file));
        assertEquals(DType.INT64, t.dtype());
        assertArrayEquals(SHAPE, t.shape());
        assertArrayEquals(ints(file.startsWith("u") ? 5 : 0), t.toLongArray());
    }

    @Test
    void boolIsZeroOrOne() throws Exception {
        Tensor t = Npy.read(FIXTURES.resolve("bool.npy"));
        assertEquals(DType.INT64, t.dtype());
        long[] want = new long[24];
        for (int i = 0; i < 24; i++) want[i] = Math.floorMod(i - 5, 3) == 0 ? 1 : 0;
        assertArrayEquals(want, t.toLongArray());
    }

    @Test
    void scalarAndEmpty() throws Exception {
        Tensor s = Npy.read(FIXTURES.resolve("scalar_f8.npy"));
        assertArrayEquals(new int[0], s.shape());
        assertEquals(2.5, s.toDoubleArray()[0]);
        Tensor e = Npy.read(FIXTURES.resolve("empty_f4.npy"));
        assertArrayEquals(new int[] {0, 3}, e.shape());
    }

    @Test
    void unsupportedTypesAreRefusedByName() {
        for (var c : List.of(List.of("c8.npy", "complex"), List.of("str.npy", "string"), List.of("u8_too_large.npy", "9223372036854775808"))) {
            var e = assertThrows(NablaIOException.class, () -> Npy.read(FIXTURES.resolve(c.get(0))));
            assertTrue(e.getMessage().contains(c.get(0)) && e.getMessage().contains(c.get(1)), e.getMessage());
        }
    }

    @Test
    void truncatedOrForeignFilesAreErrors(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(FIXTURES.resolve("f8.npy"));
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length - 8));
        var e = assertThrows(NablaIOException.class, () -> Npy.read(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        Path foreign = dir.resolve("x.npy");
        Files.writeString(foreign, "hello, world");
        assertTrue(assertThrows(NablaIOException.class, () -> Npy.read(foreign)).getMessage().contains("magic"));
        assertTrue(assertThrows(NablaIOException.class, () -> Npz.read(foreign)).getMessage().contains("zip"));
    }

    @Test
    void npzFromNumpy() throws Exception {
        Map<String, Tensor> stored = Npz.read(FIXTURES.resolve("stored.npz"));
        assertEquals(List.of("x", "labels"), List.copyOf(stored.keySet()));
        assertArrayEquals(Tensor.of(recipe(24), SHAPE).toFloatArray(), stored.get("x").toFloatArray());
        assertArrayEquals(ints(0), stored.get("labels").toLongArray());
        Map<String, Tensor> compressed = Npz.read(FIXTURES.resolve("compressed.npz"));
        assertArrayEquals(recipe(24), compressed.get("x").toDoubleArray());
        assertEquals(DType.INT64, compressed.get("mask").dtype());
    }

    /** Writes the files scripts/numpy_fixtures.py check reads, and reads each back. */
    @Test
    void writesWhatNumpyReads() throws Exception {
        Path out = Path.of("target/numpy-written");
        Files.createDirectories(out);
        Map<String, Tensor> files = new LinkedHashMap<>();
        files.put("f4.npy", Tensor.of(recipe(24), SHAPE).toType(DType.FLOAT32));
        files.put("f8.npy", Tensor.of(recipe(24), SHAPE));
        files.put("i8.npy", Tensor.of(ints(0), SHAPE));
        files.put("scalar.npy", Tensor.scalar(DType.FLOAT64, 2.5));
        files.put("empty.npy", Tensor.zeros(0, 3));
        files.put("big.npy", Tensor.of(recipe(70000), 70000).toType(DType.FLOAT32));
        for (var f : files.entrySet()) {
            Npy.write(out.resolve(f.getKey()), f.getValue());
            Tensor back = Npy.read(out.resolve(f.getKey()));
            assertEquals(f.getValue().dtype(), back.dtype());
            assertArrayEquals(f.getValue().shape(), back.shape());
            assertArrayEquals(f.getValue().toDoubleArray(), back.toDoubleArray());
            assertEquals(0, 10 + headerEnd(Files.readAllBytes(out.resolve(f.getKey()))) & 63, "data aligned to 64 bytes");
        }
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put("x", files.get("f4.npy"));
        arrays.put("labels", files.get("i8.npy"));
        Npz.write(out.resolve("arrays.npz"), arrays);
        Map<String, Tensor> back = Npz.read(out.resolve("arrays.npz"));
        assertEquals(List.of("x", "labels"), List.copyOf(back.keySet()));
        assertArrayEquals(ints(0), back.get("labels").toLongArray());
    }

    /** NumPy itself reads what {@link #writesWhatNumpyReads} wrote (scripts/numpy_fixtures.py check). */
    @Test
    void numpyReadsWhatNablaWrote() throws Exception {
        writesWhatNumpyReads();
        assertTrue(PythonCheck.run("numpy_fixtures.py", "check", "target/numpy-written").contains("NumPy read all"));
    }

    private static int headerEnd(byte[] npy) {
        return (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8;
    }
}
