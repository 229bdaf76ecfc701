package dev.nabla.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST, plain or gzipped (detected from the
 * content, not the name). An IDX file is a 4-byte magic number {@code 00 00 <type> <dims>}, the
 * dims as big-endian int32, then the values; nabla reads type 0x08 (unsigned byte), the one the
 * image ({@code 0x00000803}: [n, rows, cols]) and label ({@code 0x00000801}: [n]) files use.
 *
 * <p>Everything is checked before a tensor is made: the magic number, the dims, and the exact
 * length of the data (a truncated download or a file with trailing bytes is refused), so a bad
 * file gives a {@link DataFileException} naming the file, the expected and the found value,
 * never garbage tensors.
 *
 * <pre>{@code
 * ImageDataset train = Idx.dataset(dir.resolve("train-images-idx3-ubyte.gz"),
 *         dir.resolve("train-labels-idx1-ubyte.gz"), FashionMnist.CLASSES);
 * }</pre>
 */
public final class Idx {
    /** Magic number of an image file: unsigned bytes, 3 dims [n, rows, cols]. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of a label file: unsigned bytes, 1 dim [n]. */
    public static final int LABELS_MAGIC = 0x00000801;
    /** The type byte of unsigned 8-bit values. */
    public static final int UBYTE = 0x08;

    private Idx() {}

    /** The dims and the raw unsigned-byte values of an IDX file. */
    public record Contents(Path file, int[] dims, byte[] data) {
        /** The number of items (dim 0). */
        public int count() {
            return dims[0];
        }
    }

    /** Reads an image file ({@code 0x00000803}, [n, rows, cols]). */
    public static Contents readImages(Path file) throws IOException {
        return read(file, IMAGES_MAGIC);
    }

    /** Reads a label file ({@code 0x00000801}, [n]). */
    public static Contents readLabels(Path file) throws IOException {
        return read(file, LABELS_MAGIC);
    }

    /**
     * Reads an image file and its label file into a dataset of float32 images [n, 1, rows, cols]
     * in [0, 1] and int64 labels [n]. Labels must be below the number of class names (when given)
     * and the two files must hold the same number of items.
     *
     * @param classNames the name of each class, or null (the classes are then 0 … max label)
     */
    public static ImageDataset dataset(Path images, Path labels, List<String> classNames) throws IOException {
        Contents im = readImages(images);
        Contents lb = readLabels(labels);
        if (im.count() != lb.count()) {
            throw new DataFileException(labels, "holds " + lb.count() + " labels but the image file " + images + " holds "
                    + im.count() + " images; the two files must come from the same set (train-… with train-…, t10k-… with t10k-…)");
        }
        long[] y = new long[lb.count()];
        int max = -1;
        for (int i = 0; i < y.length; i++) {
            y[i] = lb.data()[i] & 0xFF;
            max = Math.max(max, (int) y[i]);
        }
        if (classNames != null) {
            for (int i = 0; i < y.length; i++) {
                if (y[i] >= classNames.size()) {
                    throw new DataFileException(labels, "label " + y[i] + " at item " + i + " is outside [0, " + classNames.size()
                            + ") for the " + classNames.size() + " classes " + classNames + "; wrong file or wrong class list");
                }
            }
        } else {
            String[] names = new String[max + 1];
            for (int c = 0; c <= max; c++) names[c] = Integer.toString(c);
            classNames = List.of(names);
        }
        return new ImageDataset(im.data(), new int[] {1, im.dims()[1], im.dims()[2]}, y, classNames);
    }

    /** Reads any unsigned-byte IDX file; its magic number must be {@code expectedMagic}. */
    public static Contents read(Path file, int expectedMagic) throws IOException {
        if (!Files.exists(file)) throw new DataFileException(file, "no such file", new NoSuchFileException(file.toString()));
        if (Files.isDirectory(file)) throw new DataFileException(file, "is a folder, expected an IDX file");
        long fileSize = Files.size(file);
        boolean gz = isGzip(file);
        String bytesWhat = gz ? "decompressed bytes" : "bytes";
        try (InputStream in = open(file, gz)) {
            byte[] head = new byte[4];
            int got = readFully(in, head, 0, 4);
            if (got < 4) {
                throw new DataFileException(file, "holds only " + got + " " + bytesWhat + ", shorter than the 4-byte IDX magic number"
                        + (fileSize == 0 ? " (the file is empty)" : ""));
            }
            int magic = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
            if (magic != expectedMagic) throw new DataFileException(file, badMagic(magic, expectedMagic));
            int ndims = head[3] & 0xFF;
            byte[] dimBytes = new byte[4 * ndims];
            got = readFully(in, dimBytes, 0, dimBytes.length);
            if (got < dimBytes.length) {
                throw new DataFileException(file, "ends inside its header: " + ndims + " dims need " + (4 + 4 * ndims) + " "
                        + bytesWhat + ", found " + (4 + got) + " (truncated file)");
            }
            int[] dims = new int[ndims];
            long count = 1;
            for (int d = 0; d < ndims; d++) {
                dims[d] = ((dimBytes[4 * d] & 0xFF) << 24) | ((dimBytes[4 * d + 1] & 0xFF) << 16)
                        | ((dimBytes[4 * d + 2] & 0xFF) << 8) | (dimBytes[4 * d + 3] & 0xFF);
                if (dims[d] < 0 || (d > 0 && dims[d] == 0)) {
                    throw new DataFileException(file, "dim " + d + " of " + Arrays.toString(dimsAsRead(dimBytes, ndims))
                            + " is " + dims[d] + "; sizes must be positive (corrupted header?)");
                }
                count *= dims[d];
            }
            long header = 4 + 4L * ndims;
            if (count > Integer.MAX_VALUE - 16) {
                throw new DataFileException(file, "dims " + Arrays.toString(dims) + " hold " + count
                        + " values, more than one Java array can (2^31 - 1); corrupted header?");
            }
            String layout = describe(dims);
            if (!gz && fileSize != header + count) {
                throw new DataFileException(file, "is " + fileSize + " bytes long, expected " + header + " + " + count + " = "
                        + (header + count) + " for " + layout + (fileSize < header + count
                        ? " (truncated: " + (header + count - fileSize) + " bytes missing; download it again)"
                        : " (" + (fileSize - header - count) + " extra bytes at the end)"));
            }
            byte[] data = new byte[(int) count];
            got = readFully(in, data, 0, data.length);
            if (got < data.length) {
                throw new DataFileException(file, "holds " + (header + got) + " " + bytesWhat + ", expected " + header + " + "
                        + count + " = " + (header + count) + " for " + layout + " (truncated: "
                        + (count - got) + " bytes missing; download it again)");
            }
            long extra = 0;
            byte[] rest = new byte[8192];
            for (int r; (r = in.read(rest)) > 0; ) extra += r;
            if (extra > 0) {
                throw new DataFileException(file, "holds " + (header + count + extra) + " " + bytesWhat + ", expected "
                        + (header + count) + " for " + layout + " (" + extra + " extra bytes at the end; wrong or corrupted file)");
            }
            return new Contents(file, dims, data);
        } catch (EOFException e) {
            throw new DataFileException(file, "the gzip stream ends early (" + e.getMessage()
                    + "): the file is truncated; download it again", e);
        } catch (ZipException e) {
            throw new DataFileException(file, "is not a valid gzip file (" + e.getMessage() + "): corrupted; download it again", e);
        }
    }

    private static int[] dimsAsRead(byte[] b, int n) {
        int[] out = new int[n];
        for (int d = 0; d < n; d++) {
            out[d] = ((b[4 * d] & 0xFF) << 24) | ((b[4 * d + 1] & 0xFF) << 16) | ((b[4 * d + 2] & 0xFF) << 8) | (b[4 * d + 3] & 0xFF);
        }
        return out;
    }

    private static String describe(int[] dims) {
        if (dims.length == 3) return dims[0] + " images of " + dims[1] + "x" + dims[2];
        if (dims.length == 1) return dims[0] + " labels";
        return "dims " + Arrays.toString(dims);
    }

    private static String badMagic(int magic, int expected) {
        String what = expected == IMAGES_MAGIC ? "an image file" : expected == LABELS_MAGIC ? "a label file" : "an IDX file";
        String found = String.format("0x%08X", magic);
        String want = String.format("0x%08X", expected);
        if ((magic >>> 16) != 0) {
            return "magic number " + found + ", expected " + want + " (" + what + "); this is not an IDX file"
                    + (magic >>> 16 == 0x1F8B ? "" : " (nor a gzipped one)");
        }
        int type = (magic >>> 8) & 0xFF;
        if (type != UBYTE) {
            return "magic number " + found + " says value type 0x" + String.format("%02X", type) + ", expected " + want
                    + " (" + what + " of unsigned bytes, type 0x08); nabla reads only unsigned-byte IDX files";
        }
        if (magic == IMAGES_MAGIC && expected == LABELS_MAGIC) {
            return "magic number " + found + " is an image file, expected " + want + " (a label file); are the image and label files swapped?";
        }
        if (magic == LABELS_MAGIC && expected == IMAGES_MAGIC) {
            return "magic number " + found + " is a label file, expected " + want + " (an image file); are the image and label files swapped?";
        }
        return "magic number " + found + " (" + (magic & 0xFF) + " dims), expected " + want + " (" + what + ")";
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1F && in.read() == 0x8B;
        }
    }

    private static InputStream open(Path file, boolean gz) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return gz ? new GZIPInputStream(raw, 1 << 16) : raw;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * Reads up to len bytes, stopping only at the end of the stream (or where a truncated gzip
     * stream ends); returns how many were read, so the caller can say how much is missing.
     */
    private static int readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int n = 0;
        try {
            while (n < len) {
                int r = in.read(b, off + n, len - n);
                if (r < 0) break;
                n += r;
            }
        } catch (EOFException truncatedGzip) {
            // GZIPInputStream's "Unexpected end of ZLIB input stream": report it as a short file
        }
        return n;
    }
}
