package dev.nabla.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The protocol-buffers wire format, the part an ONNX file uses: varints, 32- and 64-bit fixed
 * values, length-delimited fields (strings, bytes, nested messages, packed repeated numbers).
 * Hand-written rather than protobuf-java classes generated from onnx.proto: ONNX needs a dozen
 * messages and five wire rules, and this keeps nabla-onnx free of a generated-code dependency and
 * of a native protoc at build time.
 */
final class Protobuf {
    private Protobuf() {}

    /** Builds one message; fields are written in call order. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        private void tag(int field, int wireType) {
            rawVarint(((long) field << 3) | wireType);
        }

        Writer varint(int field, long v) {
            tag(field, 0);
            rawVarint(v);
            return this;
        }

        Writer fixed32(int field, int bits) {
            tag(field, 5);
            for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
            return this;
        }

        Writer bytes(int field, byte[] b) {
            tag(field, 2);
            rawVarint(b.length);
            out.writeBytes(b);
            return this;
        }

        /** Writes s as UTF-8; a null or empty string is left out (proto3's default). */
        Writer string(int field, String s) {
            return s == null || s.isEmpty() ? this : bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Writer message(int field, Writer m) {
            return bytes(field, m.toByteArray());
        }

        Writer packedVarints(int field, long[] v) {
            Writer p = new Writer();
            for (long x : v) p.rawVarint(x);
            return bytes(field, p.toByteArray());
        }

        Writer packedFloats(int field, float[] v) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) b.putFloat(x);
            return bytes(field, b.array());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    /**
     * A decoded message: each field number to its values in file order (a Long for varint and
     * fixed-width fields, a byte[] for length-delimited ones); nested messages are decoded when
     * asked for, by their field number.
     */
    static final class Message {
        private final Map<Integer, List<Object>> fields = new HashMap<>();

        /** Decodes b; what cannot be protobuf (a truncated field, an unknown wire type) is an IllegalArgumentException. */
        static Message parse(byte[] b) {
            Message m = new Message();
            int[] pos = {0};
            while (pos[0] < b.length) {
                long key = readVarint(b, pos);
                int field = (int) (key >>> 3), wire = (int) (key & 7);
                Object value = switch (wire) {
                    case 0 -> readVarint(b, pos);
                    case 1 -> readFixed(b, pos, 8);
                    case 5 -> readFixed(b, pos, 4);
                    case 2 -> {
                        long n = readVarint(b, pos);
                        if (n < 0 || n > b.length - pos[0]) throw new IllegalArgumentException("a field of " + n + " bytes runs past the end of its message");
                        byte[] v = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + (int) n);
                        pos[0] += (int) n;
                        yield v;
                    }
                    default -> throw new IllegalArgumentException("wire type " + wire + " of field " + field + " is not protobuf's 0, 1, 2 or 5");
                };
                m.fields.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
            }
            return m;
        }

        private static long readVarint(byte[] b, int[] pos) {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos[0] >= b.length) throw new IllegalArgumentException("a varint runs past the end of its message");
                int x = b[pos[0]++];
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new IllegalArgumentException("a varint is longer than 10 bytes");
        }

        private static long readFixed(byte[] b, int[] pos, int n) {
            if (pos[0] + n > b.length) throw new IllegalArgumentException("a fixed-width field runs past the end of its message");
            long v = 0;
            for (int i = 0; i < n; i++) v |= (long) (b[pos[0]++] & 0xFF) << (8 * i);
            return v;
        }

        boolean has(int field) {
            return fields.containsKey(field);
        }

        private List<Object> all(int field) {
            return fields.getOrDefault(field, List.of());
        }

        /** The last value of a varint field (protobuf's rule for a repeated scalar), or dflt. */
        long varint(int field, long dflt) {
            List<Object> v = all(field);
            return v.isEmpty() ? dflt : (Long) v.get(v.size() - 1);
        }

        float float32(int field, float dflt) {
            List<Object> v = all(field);
            return v.isEmpty() ? dflt : Float.intBitsToFloat((int) (long) (Long) v.get(v.size() - 1));
        }

        byte[] bytes(int field) {
            List<Object> v = all(field);
            return v.isEmpty() ? new byte[0] : (byte[]) v.get(v.size() - 1);
        }

        String string(int field) {
            return new String(bytes(field), StandardCharsets.UTF_8);
        }

        List<String> strings(int field) {
            return all(field).stream().map(v -> new String((byte[]) v, StandardCharsets.UTF_8)).toList();
        }

        List<Message> messages(int field) {
            return all(field).stream().map(v -> parse((byte[]) v)).toList();
        }

        Message message(int field) {
            return parse(bytes(field));
        }

        /** A repeated integer field, packed or not. */
        long[] varints(int field) {
            return repeated(field, Message::readVarint);
        }

        /** A repeated fixed-width field of n-byte values (4: float, 8: double), packed or not, as raw bits. */
        long[] fixed(int field, int n) {
            return repeated(field, (b, pos) -> readFixed(b, pos, n));
        }

        /** Reads one value of a packed field at pos, advancing it. */
        private interface ValueReader {
            long read(byte[] b, int[] pos);
        }

        private long[] repeated(int field, ValueReader reader) {
            List<Long> out = new ArrayList<>();
            for (Object v : all(field)) {
                if (v instanceof Long l) {
                    out.add(l);
                } else {
                    byte[] b = (byte[]) v;
                    int[] pos = {0};
                    while (pos[0] < b.length) out.add(reader.read(b, pos));
                }
            }
            return out.stream().mapToLong(Long::longValue).toArray();
        }
    }
}
