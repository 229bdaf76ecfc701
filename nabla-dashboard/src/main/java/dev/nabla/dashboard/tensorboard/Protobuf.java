package dev.nabla.dashboard.tensorboard;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few protocol-buffer encodings TensorBoard's {@code Event} and {@code Summary} messages
 * need (varints, 64- and 32-bit fixed fields, length-delimited fields, packed doubles), written
 * in field-number order as protobuf's own serializers do, so the bytes equal those of
 * TensorBoard's writer. As in proto3, a scalar field with its default value (0, empty) is left
 * out, except through {@link #fixedFloat}, which serves a field of a {@code oneof} (always written
 * when set).
 */
final class Protobuf {
    private static final int VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Protobuf varint(int field, long value) {
        if (value == 0) return this;
        key(field, VARINT);
        rawVarint(value);
        return this;
    }

    Protobuf fixedDouble(int field, double value) {
        if (Double.doubleToRawLongBits(value) == 0) return this;
        key(field, FIXED64);
        rawFixed64(Double.doubleToRawLongBits(value));
        return this;
    }

    Protobuf fixedFloat(int field, float value) {
        key(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
        return this;
    }

    Protobuf bytes(int field, byte[] value) {
        if (value.length == 0) return this;
        key(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    Protobuf string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A sub-message: written even when empty (it is set). */
    Protobuf message(int field, Protobuf message) {
        byte[] value = message.toByteArray();
        key(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    /** A repeated double field, packed (proto3's default encoding); nothing when empty. */
    Protobuf packedDoubles(int field, double[] values) {
        if (values.length == 0) return this;
        key(field, LENGTH_DELIMITED);
        rawVarint(8L * values.length);
        for (double v : values) rawFixed64(Double.doubleToRawLongBits(v));
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        rawVarint((long) field << 3 | wireType);
    }

    private void rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void rawFixed64(long bits) {
        for (int i = 0; i < 8; i++) out.write((int) (bits >>> (8 * i)));
    }
}
