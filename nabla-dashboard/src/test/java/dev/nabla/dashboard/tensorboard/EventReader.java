package dev.nabla.dashboard.tensorboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads back the events nabla writes (test side: just the fields the tests look at). */
final class EventReader {
    /** One summary value: its kind ("scalar", "histo", "image", "file_version"), tag, step and scalar value. */
    record Event(String kind, String tag, long step, float value, byte[] payload) {}

    private EventReader() {}

    static List<Event> read(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        for (byte[] r : TfRecord.read(file)) events.add(event(ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN)));
        return events;
    }

    private static Event event(ByteBuffer b) {
        long step = 0;
        Event value = null;
        while (b.hasRemaining()) {
            long key = varint(b);
            int field = (int) (key >>> 3);
            switch (field) {
                case 1 -> b.getDouble();
                case 2 -> step = varint(b);
                case 3 -> value = new Event("file_version", new String(bytes(b), StandardCharsets.UTF_8), 0, 0, null);
                case 5 -> value = summaryValue(ByteBuffer.wrap(bytes(b)).order(ByteOrder.LITTLE_ENDIAN));
                case 10 -> bytes(b);
                default -> throw new IllegalStateException("unexpected Event field " + field);
            }
        }
        return new Event(value.kind(), value.tag(), step, value.value(), value.payload());
    }

    private static Event summaryValue(ByteBuffer summary) {
        if (varint(summary) != (1 << 3 | 2)) throw new IllegalStateException("Summary.value expected");
        ByteBuffer v = ByteBuffer.wrap(bytes(summary)).order(ByteOrder.LITTLE_ENDIAN);
        if (summary.hasRemaining()) throw new IllegalStateException("one value per summary expected");
        String tag = null, kind = null;
        float value = 0;
        byte[] payload = null;
        while (v.hasRemaining()) {
            int field = (int) (varint(v) >>> 3);
            switch (field) {
                case 1 -> tag = new String(bytes(v), StandardCharsets.UTF_8);
                case 2 -> {
                    kind = "scalar";
                    value = v.getFloat();
                }
                case 4 -> {
                    kind = "image";
                    payload = bytes(v);
                }
                case 5 -> {
                    kind = "histo";
                    payload = bytes(v);
                }
                default -> throw new IllegalStateException("unexpected Summary.Value field " + field);
            }
        }
        return new Event(kind, tag, 0, value, payload);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[(int) varint(b)];
        b.get(out);
        return out;
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if (x < 0x80) return v;
        }
    }
}
