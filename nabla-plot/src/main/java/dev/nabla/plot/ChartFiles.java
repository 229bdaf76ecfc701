package dev.nabla.plot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/** Atomic file writes and the headless switch shared by every chart (package-private). */
final class ChartFiles {

    /** Writes bytes to an output stream; may fail with an I/O error. */
    @FunctionalInterface
    interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private ChartFiles() {}

    /**
     * Makes AWT run without a display (the CLI has none) unless the application already chose.
     * Must run before the first AWT class initializes its toolkit, so every chart calls it first.
     */
    static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * Writes {@code file} atomically: parent folders are created, the bytes go to a temp file in
     * the same folder, which is forced to disk and then renamed over the target. A failure
     * leaves any previous file untouched and removes the temp file.
     */
    static void writeAtomically(Path file, Writer writer) throws IOException {
        Objects.requireNonNull(file, "file");
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null) {
            throw new IllegalArgumentException("cannot write " + file + ": it has no parent folder");
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("cannot write " + file + ": it is a folder");
        }
        Files.createDirectories(dir);
        // not Files.createTempFile: that makes the file owner-only (0600); a plain CREATE_NEW
        // gets the usual permissions of new files (umask), like the chart it becomes
        Path tmp = null;
        FileChannel channel = null;
        for (int attempt = 0; channel == null; attempt++) {
            tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                    + COUNTER.incrementAndGet() + ".tmp");
            try {
                channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
            }
        }
        boolean moved = false;
        try {
            try (FileChannel ch = channel) {
                OutputStream out = Channels.newOutputStream(ch);
                writer.writeTo(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    static void checkSize(String chart, int width, int height) {
        if (width < 50 || height < 50 || width > 20_000 || height > 20_000) {
            throw new IllegalArgumentException(chart + ": image size " + width + "x" + height
                    + " is out of range; use 50..20000 pixels per side (e.g. 800x600)");
        }
    }
}
