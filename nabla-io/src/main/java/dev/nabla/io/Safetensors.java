package dev.nabla.io;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tensors in Hugging Face's <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, readable by PyTorch, JAX and NumPy users.
 *
 * <p>Layout: 8 bytes, the little-endian unsigned length N of the header; N bytes of UTF-8 JSON,
 * {@code {"__metadata__": {string: string}, "name": {"dtype": "F32", "shape": [2, 3],
 * "data_offsets": [begin, end]}, ...}}, padded with spaces to a multiple of 8; then the data:
 * each tensor's elements little-endian in row-major order, at {@code [begin, end)} relative to
 * the first byte after the header. nabla reads and writes the dtypes F32, F64 and I64.
 *
 * <p>Writing follows the reference implementation byte for byte: tensors ordered by dtype
 * alignment, largest first (I64, F64, F32), then by name; metadata first in the header (here with
 * its keys sorted, so the same tensors give the same bytes); no metadata entry when there is
 * none. Every tensor starts aligned to its element size. Non-contiguous tensors are written
 * contiguous. The write is atomic ({@link AtomicFiles}). {@link #writeChecked} adds SHA-256
 * checksums of the header and the data to the metadata; {@link #read} verifies them whenever a
 * file has them.
 *
 * <p>Reading checks everything the reference reader checks, and more, and names the file and the
 * problem in a {@link NablaIOException}: the file shorter than 8 bytes, a header length beyond
 * the file or over 100 MB, a header that is not UTF-8, not JSON or not an object, duplicate
 * names, an unknown or unsupported dtype, a malformed shape or data_offsets, an entry with other
 * keys, metadata values that are not strings, offsets that do not match shape and dtype, that lie
 * beyond the file, overlap, or leave holes, and bytes after the last tensor. Tensors come back in
 * the order of their data in the file.
 */
public final class Safetensors {
    private Safetensors() {}

    /** The header key of the string-to-string metadata. */
    public static final String METADATA_KEY = "__metadata__";

    /** Largest header accepted, as in the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Bytes moved per bulk copy between arrays and the file. */
    private static final int CHUNK_BYTES = 1 << 22;

    /** One tensor's header entry; {@code begin} and {@code end} are relative to {@link Header#dataStart()}. */
    public record Entry(String name, DType dtype, int[] shape, long begin, long end) {
        /** Copies the shape. */
        public Entry {
            shape = shape.clone();
        }

        /** The shape (a copy). */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** Number of elements. */
        public int numel() {
            int n = 1;
            for (int d : shape) n *= d;
            return n;
        }

        @Override
        public String toString() {
            return "'" + name + "' " + code(dtype) + " " + Arrays.toString(shape) + " [" + begin + ", " + end + "]";
        }
    }

    /** A file's header: its tensor entries in data order and its metadata. */
    public record Header(Path file, long headerLength, List<Entry> entries, Map<String, String> metadata) {
        /** Absolute file position of the first data byte: 8 + header length. */
        public long dataStart() {
            return 8 + headerLength;
        }
    }

    // ------------------------------------------------------------------ writing

    /** Writes {@code tensors} to {@code file} without metadata. See {@link #write(Path, Map, Map)}. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} and {@code metadata} (may be empty) to {@code file}, atomically
     * replacing it. Names may be any string except {@value #METADATA_KEY}.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, false);
    }

    /**
     * As {@link #write(Path, Map, Map)}, with two SHA-256 checksums added to the metadata, which
     * {@link #read} then verifies: {@value #KEY_DATA_SHA256} of the data (every tensor byte, in
     * file order: {@code hashlib.sha256(data[8 + n:])} in Python) and {@value #KEY_HEADER_SHA256}
     * of the header as stored, with its own 64 hex digits written as zeros. Together they cover
     * every byte of the file, so a flipped bit is an error, never a different tensor or value.
     */
    public static void writeChecked(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, true);
    }

    private static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, boolean checked)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        List<Map.Entry<String, Tensor>> items = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null) throw new IllegalArgumentException("Safetensors.write: a tensor name is null");
            if (e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("Safetensors.write: '" + METADATA_KEY
                        + "' is reserved for the metadata and cannot name a tensor");
            }
            if (e.getValue() == null) throw new IllegalArgumentException("Safetensors.write: tensor '" + e.getKey() + "' is null");
            items.add(e);
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("Safetensors.write: metadata entry " + e.getKey() + "=" + e.getValue()
                        + " has a null key or value");
            }
        }
        // The reference order: dtype alignment descending, then name (UTF-8 byte order = code point order).
        items.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -rank(e.getValue().dtype()))
                .thenComparing(Map.Entry::getKey, SafetensorsHeader::compareCodePoints));
        Map<String, String> meta = metadata;
        if (checked) {
            meta = new LinkedHashMap<>(metadata);
            meta.put(KEY_DATA_SHA256, ZEROS);
            meta.put(KEY_HEADER_SHA256, ZEROS);
        }
        byte[] header = SafetensorsHeader.bytes(items, meta);

        AtomicFiles.write(file, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            AtomicFiles.writeFully(ch, len);
            AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
            long total = 0;
            for (Map.Entry<String, Tensor> e : items) total += (long) e.getValue().numel() * e.getValue().dtype().bytes();
            ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.max(8, Math.min(CHUNK_BYTES, total)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            MessageDigest data = checked ? sha256() : null;
            for (Map.Entry<String, Tensor> e : items) writeData(ch, e.getValue(), chunk, data);
            if (checked) {
                // the data's digest into the header, then the header's own (over its zeros), written in place
                fill(header, KEY_DATA_SHA256, hex(data.digest()));
                fill(header, KEY_HEADER_SHA256, hex(sha256().digest(header)));
                ByteBuffer h = ByteBuffer.wrap(header);
                for (long pos = 8; h.hasRemaining(); ) pos += ch.write(h, pos);
            }
        });
    }

    /** Metadata key of the data's SHA-256 (lowercase hex) in a file written by {@link #writeChecked}. */
    public static final String KEY_DATA_SHA256 = "nabla.data_sha256";
    /** Metadata key of the header's SHA-256 (computed with this value as 64 zeros) in a file written by {@link #writeChecked}. */
    public static final String KEY_HEADER_SHA256 = "nabla.header_sha256";
    private static final String ZEROS = "0".repeat(64);

    // replaces the 64 zeros of key's value in the header bytes (Jackson writes "key":"value" with no space)
    private static void fill(byte[] header, String key, String hex) {
        byte[] pattern = ("\"" + key + "\":\"" + ZEROS + "\"").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(header, pattern, 0);
        if (at < 0 || indexOf(header, pattern, at + 1) >= 0) throw new IllegalStateException("checksum slot of " + key);
        System.arraycopy(hex.getBytes(StandardCharsets.US_ASCII), 0, header, at + pattern.length - 65, 64);
    }

    private static int indexOf(byte[] a, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= a.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (a[i + j] != pattern[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Lowercase hex of bytes. */
    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    // feeds the chunk's remaining bytes to the digest (if any) without moving the chunk
    private static ByteBuffer digest(ByteBuffer chunk, MessageDigest md) {
        if (md != null) md.update(chunk.duplicate());
        return chunk;
    }

    /** Writes one tensor's elements, row-major little-endian, through the direct buffer {@code chunk}. */
    private static void writeData(FileChannel ch, Tensor t, ByteBuffer chunk, MessageDigest md) throws IOException {
        int size = t.dtype().bytes();
        int per = chunk.capacity() / size;
        switch (t.dtype()) {
            case FLOAT32 -> {
                float[] a = t.toFloatArray();
                for (int off = 0; off < a.length; off += per) {
                    int n = Math.min(per, a.length - off);
                    chunk.clear();
                    chunk.asFloatBuffer().put(a, off, n);
                    chunk.limit(n * size);
                    AtomicFiles.writeFully(ch, digest(chunk, md));
                }
            }
            case FLOAT64 -> {
                double[] a = t.toDoubleArray();
                for (int off = 0; off < a.length; off += per) {
                    int n = Math.min(per, a.length - off);
                    chunk.clear();
                    chunk.asDoubleBuffer().put(a, off, n);
                    chunk.limit(n * size);
                    AtomicFiles.writeFully(ch, digest(chunk, md));
                }
            }
            case INT64 -> {
                long[] a = t.toLongArray();
                for (int off = 0; off < a.length; off += per) {
                    int n = Math.min(per, a.length - off);
                    chunk.clear();
                    chunk.asLongBuffer().put(a, off, n);
                    chunk.limit(n * size);
                    AtomicFiles.writeFully(ch, digest(chunk, md));
                }
            }
        }
    }

    // ------------------------------------------------------------------ reading

    /** Reads every tensor and the metadata of {@code file}, checking the whole file first. */
    public static TensorFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, ch);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            long largest = 0;
            for (Entry e : h.entries()) largest = Math.max(largest, e.end() - e.begin());
            ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.max(8, Math.min(CHUNK_BYTES, largest)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            MessageDigest md = h.metadata().containsKey(KEY_DATA_SHA256) ? sha256() : null;
            for (Entry e : h.entries()) tensors.put(e.name(), readData(file, ch, h.dataStart() + e.begin(), e, chunk, md));
            if (md != null && !hex(md.digest()).equals(h.metadata().get(KEY_DATA_SHA256))) {
                throw new NablaIOException(file, "the tensor data does not match its SHA-256 checksum (" + KEY_DATA_SHA256
                        + "): the file is corrupted; use another copy or save it again");
            }
            return new TensorFile(file, tensors, h.metadata());
        }
    }

    /** Reads and checks the header of {@code file} only (shapes, dtypes, offsets, metadata). */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new NablaIOException(file, (size == 0 ? "the file is empty" : "the file is only " + size + " bytes")
                    + ", shorter than the 8-byte header length that starts a safetensors file");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lenBuf, 0);
        long n = lenBuf.flip().getLong(); // unsigned: a negative long is a length beyond 2^63
        if (n < 0 || n > size - 8) {
            throw new NablaIOException(file, "the header length " + Long.toUnsignedString(n)
                    + " reaches beyond the end of the file (" + size + " bytes, so at most " + (size - 8)
                    + "); the file is truncated or not a safetensors file");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new NablaIOException(file, "the header length " + n + " is over the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        readFully(file, ch, headerBuf, 8);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBuf.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new NablaIOException(file, "the header (" + n + " bytes) is not valid UTF-8", e);
        }
        long dataLength = size - 8 - n;
        Header h = SafetensorsHeader.parse(file, text, n, dataLength);
        checkHeaderDigest(file, headerBuf.array(), h.metadata());
        return h;
    }

    /**
     * A checked file (one with either checksum key) must have both, well formed, and its header
     * must hash to {@value #KEY_HEADER_SHA256} with that value zeroed.
     */
    private static void checkHeaderDigest(Path file, byte[] header, Map<String, String> metadata) throws NablaIOException {
        String data = metadata.get(KEY_DATA_SHA256), own = metadata.get(KEY_HEADER_SHA256);
        if (data == null && own == null) return;
        for (String k : List.of(KEY_DATA_SHA256, KEY_HEADER_SHA256)) {
            String v = metadata.get(k);
            if (v == null || !v.matches("[0-9a-f]{64}")) {
                throw new NablaIOException(file, "the checksum " + k + " is " + (v == null ? "missing" : "'" + SafetensorsHeader.abbreviate(v) + "'")
                        + ", not 64 hex digits: the file is corrupted");
            }
        }
        byte[] value = own.getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(header, value, 0);
        if (at < 0 || indexOf(header, value, at + 1) >= 0) {
            throw new NablaIOException(file, "the header's checksum cannot be located in the header: the file is corrupted");
        }
        byte[] zeroed = header.clone();
        Arrays.fill(zeroed, at, at + 64, (byte) '0');
        if (!hex(sha256().digest(zeroed)).equals(own)) {
            throw new NablaIOException(file, "the header does not match its SHA-256 checksum (" + KEY_HEADER_SHA256
                    + "): the file is corrupted; use another copy or save it again");
        }
    }

    private static Tensor readData(Path file, FileChannel ch, long position, Entry e, ByteBuffer chunk, MessageDigest md)
            throws IOException {
        int numel = e.numel();
        int size = e.dtype().bytes();
        int per = chunk.capacity() / size;
        Tensor t = switch (e.dtype()) {
            case FLOAT32 -> {
                float[] a = new float[numel];
                for (int off = 0; off < numel; off += per) {
                    int n = Math.min(per, numel - off);
                    chunk.clear().limit(n * size);
                    readFully(file, ch, chunk, position + (long) off * size);
                    digest(chunk.flip(), md).asFloatBuffer().get(a, off, n);
                }
                yield Tensor.of(a, shapeArg(e.shape));
            }
            case FLOAT64 -> {
                double[] a = new double[numel];
                for (int off = 0; off < numel; off += per) {
                    int n = Math.min(per, numel - off);
                    chunk.clear().limit(n * size);
                    readFully(file, ch, chunk, position + (long) off * size);
                    digest(chunk.flip(), md).asDoubleBuffer().get(a, off, n);
                }
                yield Tensor.of(a, shapeArg(e.shape));
            }
            case INT64 -> {
                long[] a = new long[numel];
                for (int off = 0; off < numel; off += per) {
                    int n = Math.min(per, numel - off);
                    chunk.clear().limit(n * size);
                    readFully(file, ch, chunk, position + (long) off * size);
                    digest(chunk.flip(), md).asLongBuffer().get(a, off, n);
                }
                yield Tensor.of(a, shapeArg(e.shape));
            }
        };
        // Tensor.of with no shape means 1-D, so a 0-d tensor is made 1-D and then reshaped.
        return e.shape.length == 0 ? t.reshape() : t;
    }

    private static int[] shapeArg(int[] shape) {
        return shape.length == 0 ? new int[] {1} : shape;
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new NablaIOException(file, "the file ended at byte " + pos + " while reading it (changed while being read?)",
                        new EOFException());
            }
            pos += r;
        }
    }

    // ------------------------------------------------------------------ dtypes and helpers

    /** The safetensors code of a nabla dtype: F32, F64 or I64. */
    public static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT64 -> "I64";
        };
    }

    /** Rank in the reference implementation's dtype order (increasing alignment: F32 < F64 < I64). */
    private static int rank(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 0;
            case FLOAT64 -> 1;
            case INT64 -> 2;
        };
    }

}
