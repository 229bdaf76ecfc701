package dev.nabla.dashboard.tensorboard;

import dev.nabla.dashboard.Images;
import java.awt.image.BufferedImage;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * Writes a TensorBoard event file ({@code events.out.tfevents.<seconds>.<host>}) in a log
 * folder, as PyTorch's {@code SummaryWriter} does: scalars, histograms and PNG images, each an
 * {@code Event} record; open the folder with {@code tensorboard --logdir}.
 *
 * <p>An event file is a log that TensorBoard reads while it grows, so it is appended to, not
 * replaced: each event is one whole record, flushed by {@link #flush} and {@link #close}; a crash
 * can cut only the last record, which TensorBoard's reader skips.
 */
public final class SummaryWriter implements Closeable {
    private final Path file;
    private final OutputStream out;
    private final DoubleSupplier clock;

    /** A writer into logDir (created if needed), stamping events with the wall-clock time. */
    public SummaryWriter(Path logDir) throws IOException {
        this(logDir, () -> System.currentTimeMillis() / 1000.0);
    }

    /** A writer whose events carry the times clock gives (seconds since 1970), e.g. fixed ones for tests. */
    public SummaryWriter(Path logDir, DoubleSupplier clock) throws IOException {
        this.clock = clock;
        Files.createDirectories(logDir);
        double now = clock.getAsDouble();
        Path f = logDir.resolve(String.format(Locale.ROOT, "events.out.tfevents.%d.%s", (long) now, host()));
        for (int i = 1; Files.exists(f); i++) f = logDir.resolve(f.getFileName() + "." + i); // two writers in one second
        this.file = f;
        this.out = Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        TfRecord.write(out, Events.fileVersion(now, Events.WRITER));
        out.flush();
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The event file being written. */
    public Path file() {
        return file;
    }

    /** A scalar (stored as float32, as TensorBoard does) at a step. */
    public SummaryWriter addScalar(String tag, long step, double value) throws IOException {
        TfRecord.write(out, Events.scalar(clock.getAsDouble(), step, tag, (float) value));
        return this;
    }

    /** A histogram of values in 30 equal-width buckets. */
    public SummaryWriter addHistogram(String tag, long step, double[] values) throws IOException {
        return addHistogram(tag, step, Histogram.of(values, 30));
    }

    /** A histogram at a step. */
    public SummaryWriter addHistogram(String tag, long step, Histogram h) throws IOException {
        TfRecord.write(out, Events.histogram(clock.getAsDouble(), step, tag, h));
        return this;
    }

    /** An image at a step, PNG-encoded. */
    public SummaryWriter addImage(String tag, long step, BufferedImage image) throws IOException {
        int channels = image.getColorModel().getNumComponents();
        TfRecord.write(out, Events.image(clock.getAsDouble(), step, tag, image.getHeight(), image.getWidth(), channels, Images.png(image)));
        return this;
    }

    /** Pushes the events written so far to the file, for TensorBoard to see. */
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
