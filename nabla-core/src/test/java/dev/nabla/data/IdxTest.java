package dev.nabla.data;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    /** An IDX file: magic, dims, then the values. */
    static byte[] idx(int magic, int[] dims, byte[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + values.length);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        b.put(values);
        return b.array();
    }

    /** n images of rows×cols whose pixel p of image i is (i·7 + p) mod 256. */
    static byte[] images(int n, int rows, int cols) {
        byte[] v = new byte[n * rows * cols];
        for (int i = 0; i < n; i++) for (int p = 0; p < rows * cols; p++) v[i * rows * cols + p] = (byte) ((i * 7 + p) % 256);
        return idx(Idx.IMAGES_MAGIC, new int[] {n, rows, cols}, v);
    }

    static byte[] labels(int... y) {
        byte[] v = new byte[y.length];
        for (int i = 0; i < y.length; i++) v[i] = (byte) y[i];
        return idx(Idx.LABELS_MAGIC, new int[] {y.length}, v);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private DataFileException fails(Path images, Path labels) {
        return assertThrows(DataFileException.class, () -> Idx.dataset(images, labels, null));
    }

    private static void contains(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
    }

    @Test
    void plainAndGzippedFilesGiveTheSameDataset() throws IOException {
        byte[] im = images(5, 3, 4), lb = labels(0, 1, 2, 1, 0);
        ImageDataset plain = Idx.dataset(write("i", im), write("l", lb), null);
        ImageDataset gz = Idx.dataset(write("i.gz", gzip(im)), write("l.gz", gzip(lb)), List.of("a", "b", "c"));
        assertEquals(5, plain.size());
        assertArrayEquals(new int[] {1, 3, 4}, plain.imageShape());
        assertEquals(List.of("0", "1", "2"), plain.classNames());
        assertEquals(List.of("a", "b", "c"), gz.classNames());
        Batch a = plain.get(new int[] {4, 0, 2}), b = gz.get(new int[] {4, 0, 2});
        assertContentEquals(a.inputs(), b.inputs());
        assertArrayEquals(new int[] {3, 1, 3, 4}, a.inputs().shape());
        assertEquals(DType.FLOAT32, a.inputs().dtype());
        assertEquals(DType.INT64, a.targets().dtype());
        assertArrayEquals(new long[] {0, 0, 2}, a.targets().toLongArray());
        // pixel p of image 4 is (28 + p) / 255; of image 2, (14 + p) / 255
        assertEquals(28 / 255f, a.inputs().get(0, 0, 0, 0));
        assertEquals(29 / 255f, a.inputs().get(0, 0, 0, 1));
        assertEquals((14 + 11) / 255f, a.inputs().get(2, 0, 2, 3));
        assertArrayEquals(new int[] {2, 2, 1}, plain.classCounts());
        Batch flat = plain.flattened().get(new int[] {4});
        assertArrayEquals(new int[] {1, 12}, flat.inputs().shape());
        assertArrayEquals(a.inputs().select(0, 0).flatten().toFloatArray(), flat.inputs().select(0, 0).toFloatArray());
    }

    @Test
    void pixelsAreScaledExactlyToTheUnitInterval() throws IOException {
        byte[] v = new byte[256];
        for (int i = 0; i < 256; i++) v[i] = (byte) i;
        ImageDataset d = Idx.dataset(write("i", idx(Idx.IMAGES_MAGIC, new int[] {1, 16, 16}, v)), write("l", labels(0)), null);
        float[] x = d.get(new int[] {0}).inputs().toFloatArray();
        assertEquals(0f, x[0]);
        assertEquals(1f, x[255]);
        for (int i = 0; i < 256; i++) assertEquals(i / 255f, x[i]);
    }

    @Test
    void aLargeBatchGathersEveryImageInOrderOnAnyThreadCount() throws IOException {
        // 300 images of 28x28: the batch is converted in several parallel chunks of rows
        int n = 300, size = 28 * 28;
        int[] y = new int[n];
        ImageDataset d = Idx.dataset(write("i", images(n, 28, 28)), write("l", labels(y)), null);
        int[] order = new int[n];
        for (int k = 0; k < n; k++) order[k] = (k * 37 + 11) % n;
        int old = dev.nabla.kernel.Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                dev.nabla.kernel.Parallel.setThreads(threads);
                float[] x = d.get(order).inputs().toFloatArray();
                for (int k = 0; k < n; k++) {
                    for (int p = 0; p < size; p++) {
                        assertEquals(((order[k] * 7 + p) % 256) / 255f, x[k * size + p], threads + " threads, image " + k + ", pixel " + p);
                    }
                }
            }
        } finally {
            dev.nabla.kernel.Parallel.setThreads(old);
        }
    }

    @Test
    void truncatedFilesAreRefusedWithExpectedAndActualLengths() throws IOException {
        byte[] im = images(4, 5, 5);
        Path labels = write("l", labels(0, 1, 0, 1));
        // plain: 16 + 100 bytes expected, 10 missing
        DataFileException e = fails(write("short", Arrays.copyOf(im, im.length - 10)), labels);
        contains(e, "short", "106 bytes long", "expected 16 + 100 = 116", "4 images of 5x5", "10 bytes missing");
        // gzipped: the stream of a truncated file ends early
        byte[] gz = gzip(im);
        e = fails(write("short.gz", Arrays.copyOf(gz, gz.length - 12)), labels);
        contains(e, "short.gz", "truncated");
        // gzipped, complete but missing part of the data
        e = fails(write("short2.gz", gzip(Arrays.copyOf(im, im.length - 3))), labels);
        contains(e, "short2.gz", "113 decompressed bytes", "expected 16 + 100 = 116", "3 bytes missing");
        // inside the header
        e = fails(write("head", Arrays.copyOf(im, 9)), labels);
        contains(e, "head", "ends inside its header", "need 16", "found 9");
        e = fails(write("empty", new byte[0]), labels);
        contains(e, "empty", "holds only 0 bytes", "the file is empty");
        // extra bytes at the end
        e = fails(write("long", Arrays.copyOf(im, im.length + 7)), labels);
        contains(e, "long", "expected 16 + 100 = 116", "7 extra bytes");
        e = fails(write("long.gz", gzip(Arrays.copyOf(im, im.length + 7))), labels);
        contains(e, "long.gz", "123 decompressed bytes", "7 extra bytes");
    }

    @Test
    void wrongMagicNumbersAreRefused() throws IOException {
        Path im = write("im", images(2, 2, 2)), lb = write("lb", labels(1, 0));
        contains(fails(lb, im), "lb", "0x00000801 is a label file, expected 0x00000803", "swapped");
        byte[] floats = images(2, 2, 2);
        floats[2] = 0x0D;
        contains(fails(write("f", floats), lb), "type 0x0D", "only unsigned-byte");
        contains(fails(write("text", "hello, world! this is not IDX".getBytes()), lb), "text", "0x68656C6C", "not an IDX file");
        byte[] twoDims = idx(0x00000802, new int[] {2, 4}, new byte[8]);
        contains(fails(write("two", twoDims), lb), "0x00000802 (2 dims), expected 0x00000803");
    }

    @Test
    void countMismatchAndBadLabelsAreRefused() throws IOException {
        Path im = write("im", images(3, 2, 2));
        DataFileException e = fails(im, write("lb", labels(0, 1)));
        contains(e, "lb", "2 labels", "3 images");
        e = assertThrows(DataFileException.class, () -> Idx.dataset(im, write("lb3", labels(0, 1, 10)), List.of("a", "b")));
        contains(e, "lb3", "label 10 at item 2", "[0, 2)");
        byte[] badDims = images(1, 2, 2);
        badDims[11] = 0; // rows = 0
        contains(fails(write("zero", badDims), write("lb1", labels(0))), "zero", "dim 1", "is 0");
    }

    @Test
    void missingFashionMnistSaysHowToGetIt() {
        DataFileException e = assertThrows(DataFileException.class, () -> FashionMnist.train(dir.resolve("nowhere")));
        contains(e, "train-images-idx3-ubyte.gz", "apt-get update && apt-get install -y dataset-fashion-mnist", "--data DIR",
                "there is no folder");
    }

    @Test
    void gunzippedFashionMnistFilesAreFoundToo() throws IOException {
        write("t10k-images-idx3-ubyte", images(2, 28, 28));
        write("t10k-labels-idx1-ubyte.gz", gzip(labels(9, 3)));
        ImageDataset test = FashionMnist.test(dir);
        assertEquals(2, test.size());
        assertEquals("Ankle boot", test.classNames().get((int) test.label(0)));
    }

    @Test
    void theInstalledFashionMnistTestSetIsBalanced() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
        ImageDataset test = FashionMnist.test(FashionMnist.DEFAULT_DIR);
        assertEquals(10_000, test.size());
        assertArrayEquals(new int[] {1, 28, 28}, test.imageShape());
        for (int c : test.classCounts()) assertEquals(1000, c);
    }
}
