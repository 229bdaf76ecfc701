package dev.nabla.dashboard.tensorboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard event files: each record is its length
 * (uint64, little-endian), the masked CRC-32C of those 8 bytes, the data, and the masked
 * CRC-32C of the data.
 */
public final class TfRecord {
    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecord() {}

    /** TensorFlow's masked CRC-32C: the CRC rotated right by 15 bits plus a constant, so a CRC of CRCs stays strong. */
    public static int maskedCrc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /** The framed record of data. */
    public static byte[] frame(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc32c(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc32c(data, 0, data.length));
        return b.array();
    }

    /**
     * The records of a TFRecord file, each checked against its CRCs.
     *
     * @throws IOException naming the file, the record and its offset when a length or CRC does
     *     not match or the file ends inside a record
     */
    public static List<byte[]> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> records = new ArrayList<>();
        while (b.hasRemaining()) {
            int at = b.position();
            String where = file + ": record " + records.size() + " at byte " + at;
            if (b.remaining() < 12) throw new IOException(where + ": the file ends inside the record's header (truncated?)");
            long length = b.getLong();
            if (b.getInt() != maskedCrc32c(b.array(), at, 8)) throw new IOException(where + ": the length's CRC does not match (corrupted?)");
            if (length < 0 || length > b.remaining() - 4) {
                throw new IOException(where + ": " + length + " bytes of data announced, " + Math.max(0, b.remaining() - 4) + " left (truncated?)");
            }
            byte[] data = new byte[(int) length];
            b.get(data);
            if (b.getInt() != maskedCrc32c(data, 0, data.length)) throw new IOException(where + ": the data's CRC does not match (corrupted?)");
            records.add(data);
        }
        return records;
    }

    /** Writes data as one record. */
    public static void write(OutputStream out, byte[] data) throws IOException {
        out.write(frame(data));
    }
}
