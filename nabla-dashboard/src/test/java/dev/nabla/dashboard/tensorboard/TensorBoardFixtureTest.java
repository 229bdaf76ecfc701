package dev.nabla.dashboard.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nabla's event records against the file TensorBoard's own writer produced
 * (scripts/tensorboard_fixtures.py, through PyTorch's SummaryWriter): the same framing, CRCs
 * and protobuf bytes, record by record.
 */
class TensorBoardFixtureTest {
    private static final double WALL = 1_700_000_000.25; // as in the script

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = TensorBoardFixtureTest.class.getResourceAsStream("/tensorboard/" + name)) {
            assertNotNull(in, "test resource tensorboard/" + name + "; regenerate with scripts/tensorboard_fixtures.py");
            return in.readAllBytes();
        }
    }

    private static List<byte[]> fixtureRecords(Path dir) throws IOException {
        Path f = dir.resolve("reference.tfevents");
        Files.write(f, resource("reference.tfevents"));
        return TfRecord.read(f);
    }

    @Test
    void framingAndCrcsMatchTensorBoardsWriter(@TempDir Path dir) throws IOException {
        byte[] file = resource("reference.tfevents");
        List<byte[]> records = fixtureRecords(dir);
        // re-framing every payload gives back the file byte for byte: lengths and both masked CRCs agree
        java.io.ByteArrayOutputStream again = new java.io.ByteArrayOutputStream();
        for (byte[] r : records) again.writeBytes(TfRecord.frame(r));
        assertArrayEquals(file, again.toByteArray());
        // and the CRCs are TensorFlow's, not just self-consistent: the first header's, computed by hand
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(b.getInt(8), TfRecord.maskedCrc32c(file, 0, 8));
    }

    @Test
    void eventsAreEncodedAsTensorBoardEncodesThem(@TempDir Path dir) throws IOException {
        List<byte[]> r = fixtureRecords(dir);
        assertEquals(8, r.size());
        // the first event's wall time is the moment the script ran: read it back (field 1, fixed64, right after its key)
        double firstWall = ByteBuffer.wrap(r.get(0), 1, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble();
        assertArrayEquals(r.get(0), Events.fileVersion(firstWall, "tensorboard.summary.writer.event_file_writer"));
        assertArrayEquals(r.get(1), Events.scalar(WALL, 0, "epoch_loss", 0f));
        assertArrayEquals(r.get(2), Events.scalar(WALL, 1, "epoch_loss", -1.5f));
        assertArrayEquals(r.get(3), Events.scalar(WALL, 7, "epoch_loss", 1e-8f));
        assertArrayEquals(r.get(4), Events.scalar(WALL, 123456789012L, "epoch_loss", 3.25f));
        assertArrayEquals(r.get(5), Events.scalar(WALL, 3, "batch/accuracy", 0.875f));
        Histogram h = Histogram.of(new double[] {-1.0, -0.5, -0.5, 0.0, 0.25, 0.375, 1.0, 2.0}, 4);
        assertArrayEquals(r.get(6), Events.histogram(WALL, 2, "weights/0.weight", h));
        assertArrayEquals(r.get(7), Events.image(WALL, 4, "predictions", 5, 7, 3, resource("image.png")));
    }

    @Test
    void aDamagedFileIsAnErrorNamingTheRecord(@TempDir Path dir) throws IOException {
        byte[] file = resource("reference.tfevents");
        Path f = dir.resolve("bad.tfevents");
        byte[] flipped = file.clone();
        flipped[40] ^= 1; // inside the first record's data
        Files.write(f, flipped);
        IOException e = assertThrows(IOException.class, () -> TfRecord.read(f));
        assertTrue(e.getMessage().contains("record 0 at byte 0") && e.getMessage().contains("data's CRC"), e.getMessage());
        Files.write(f, java.util.Arrays.copyOf(file, file.length - 3));
        e = assertThrows(IOException.class, () -> TfRecord.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
}
