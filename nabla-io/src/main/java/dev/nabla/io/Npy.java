package dev.nabla.io;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} files (format versions 1.0 to 3.0): one array, what {@code np.save} and
 * {@code np.load} exchange.
 *
 * <p>Written: float32 as {@code <f4}, float64 as {@code <f8}, int64 as {@code <i8}, C order. Read:
 * C or Fortran order, either byte order, and these types mapped without loss to nabla's: float16
 * → float32; bool, int8/16/32/64 and uint8/16/32 → int64; uint64 → int64 when every value fits.
 * Other types (complex, strings, objects, dates) are refused with their NumPy name.
 *
 * <pre>{@code
 * Npy.write(Path.of("x.npy"), x);     // np.load("x.npy")
 * Tensor y = Npy.read(Path.of("y.npy")); // np.save("y.npy", y)
 * }</pre>
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Writes t to file as .npy, whole or not at all. */
    public static void write(Path file, Tensor t) throws IOException {
        byte[] bytes = encode(t);
        AtomicFiles.write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** Reads a .npy file; see the class comment for the types. */
    public static Tensor read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NablaIOException(file, "no such file");
        try {
            return decode(Files.readAllBytes(file));
        } catch (IllegalArgumentException e) {
            throw new NablaIOException(file, e.getMessage(), e);
        }
    }

    /** The .npy bytes of t (format 1.0, or 2.0 for a header over 65535 bytes). */
    static byte[] encode(Tensor t) {
        String descr = switch (t.dtype()) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case INT64 -> "<i8";
        };
        int[] shape = t.shape();
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        if (shape.length > 1) dims.setLength(dims.length() - 2);
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims.toString().strip() + "), }";
        int prefix = MAGIC.length + 2 + 2;
        boolean v2 = prefix + dict.length() + 1 > 65535;
        if (v2) prefix += 2;
        int headerLen = ((prefix + dict.length() + 1 + 63) / 64) * 64 - prefix; // data aligned to 64 bytes, as NumPy does
        String header = dict + " ".repeat(headerLen - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(prefix + headerLen + Math.multiplyExact(t.numel(), t.dtype().bytes())).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
        if (v2) b.putInt(headerLen);
        else b.putShort((short) headerLen);
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        switch (t.dtype()) {
            case FLOAT32 -> b.asFloatBuffer().put(t.toFloatArray());
            case FLOAT64 -> b.asDoubleBuffer().put(t.toDoubleArray());
            case INT64 -> b.asLongBuffer().put(t.toLongArray());
        }
        return b.array();
    }

    /** Decodes .npy bytes; a malformed file or an unsupported type is an IllegalArgumentException saying what. */
    static Tensor decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) throw new IllegalArgumentException("not a .npy file (no \\x93NUMPY magic)");
        int major = bytes[6];
        if (major < 1 || major > 3) throw new IllegalArgumentException(".npy format version " + major + "." + bytes[7] + " is not 1.0, 2.0 or 3.0");
        b.position(8);
        long headerLen = major == 1 ? Short.toUnsignedInt(b.getShort()) : Integer.toUnsignedLong(b.getInt());
        if (headerLen > bytes.length - b.position()) throw new IllegalArgumentException("the header (" + headerLen + " bytes) runs past the end of the file: truncated");
        String header = new String(bytes, b.position(), (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        b.position(b.position() + (int) headerLen);
        String descr = group(DESCR, header, "descr");
        boolean fortran = group(FORTRAN, header, "fortran_order").equals("True");
        int[] shape = parseShape(group(SHAPE, header, "shape"));
        long n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31 elements");

        char order = descr.charAt(0);
        String kind = descr.substring(1);
        if (order != '<' && order != '>' && order != '|' && order != '=') throw new IllegalArgumentException("dtype '" + descr + "' is not a NumPy array-protocol type string");
        b.order(order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int width = switch (kind) {
            case "f2", "i2", "u2" -> 2;
            case "f4", "i4", "u4" -> 4;
            case "f8", "i8", "u8" -> 8;
            case "b1", "i1", "u1" -> 1;
            default -> throw new IllegalArgumentException("dtype '" + descr + "' (" + numpyName(kind) + ") has no nabla type; nabla reads float16/32/64, "
                    + "bool, int8/16/32/64 and uint8/16/32/64: convert with arr.astype(np.float32) (or np.int64) before saving");
        };
        if ((long) width * n != b.remaining()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + descr + " needs " + width * n + " bytes of data, the file has "
                    + b.remaining() + (b.remaining() < width * n ? ": truncated" : ""));
        }
        int count = (int) n;
        Tensor t = switch (kind) {
            case "f4" -> {
                float[] f = new float[count];
                b.asFloatBuffer().get(f);
                yield Tensor.of(f, storageShape(shape, fortran));
            }
            case "f2" -> {
                float[] f = new float[count];
                for (int i = 0; i < count; i++) f[i] = Float.float16ToFloat(b.getShort());
                yield Tensor.of(f, storageShape(shape, fortran));
            }
            case "f8" -> {
                double[] d = new double[count];
                b.asDoubleBuffer().get(d);
                yield Tensor.of(d, storageShape(shape, fortran));
            }
            default -> {
                long[] l = new long[count];
                for (int i = 0; i < count; i++) {
                    l[i] = switch (kind) {
                        case "b1" -> {
                            byte v = b.get();
                            if (v != 0 && v != 1) throw new IllegalArgumentException("bool value " + v + " at index " + i + " is neither 0 nor 1");
                            yield v;
                        }
                        case "i1" -> b.get();
                        case "u1" -> Byte.toUnsignedInt(b.get());
                        case "i2" -> b.getShort();
                        case "u2" -> Short.toUnsignedInt(b.getShort());
                        case "i4" -> b.getInt();
                        case "u4" -> Integer.toUnsignedLong(b.getInt());
                        case "i8" -> b.getLong();
                        default -> { // u8
                            long v = b.getLong();
                            if (v < 0) throw new IllegalArgumentException("uint64 value " + Long.toUnsignedString(v) + " at index " + i + " does not fit nabla's int64");
                            yield v;
                        }
                    };
                }
                yield Tensor.of(l, storageShape(shape, fortran));
            }
        };
        if (shape.length == 0) return t.reshape(); // a 0-d array (Tensor.of makes 1-D)
        if (!fortran || shape.length < 2) return t;
        int[] reverse = new int[shape.length];
        for (int d = 0; d < shape.length; d++) reverse[d] = shape.length - 1 - d;
        return t.permute(reverse).contiguous(); // Fortran order is C order of the reversed shape
    }

    private static int[] storageShape(int[] shape, boolean fortran) {
        if (!fortran) return shape;
        int[] r = new int[shape.length];
        for (int d = 0; d < shape.length; d++) r[d] = shape[shape.length - 1 - d];
        return r;
    }

    private static String group(Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new IllegalArgumentException("the header " + header.strip() + " has no '" + key + "' entry NumPy writes");
        return m.group(1);
    }

    private static int[] parseShape(String s) {
        List<Integer> dims = new ArrayList<>();
        for (String part : s.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) continue;
            try {
                dims.add(Integer.parseInt(p.endsWith("L") ? p.substring(0, p.length() - 1) : p));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape (" + s + ") is not a tuple of sizes below 2^31");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String numpyName(String kind) {
        return switch (kind.isEmpty() ? ' ' : kind.charAt(0)) {
            case 'c' -> "complex";
            case 'U', 'S', 'a' -> "string";
            case 'O' -> "object";
            case 'M', 'm' -> "datetime";
            case 'V' -> "structured";
            case 'f' -> "float" + 8 * Integer.parseInt(kind.substring(1));
            default -> "unsupported";
        };
    }
}
