package dev.nabla.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file replacement: a reader of the target sees either the old file or the complete
 * new one, never a mix, whenever the process dies (kill -9, power loss after the fsync).
 *
 * <p>How: the content goes to a temporary file in the target's directory
 * ({@code .<name>.<random>.nabla-tmp}), which is fsynced ({@link FileChannel#force}) and then
 * renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}; then the directory is
 * fsynced so that the rename itself survives a power loss (where the OS allows it).
 *
 * <p>Leftovers: a process killed mid-write leaves its temporary file behind. It is harmless (no
 * reader looks at it) and the next write to the same target deletes it. A writer holds an OS lock
 * on its temporary file while it writes, and only unlocked leftovers are deleted, so a write in
 * progress in another process is never disturbed.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Suffix of the temporary files; nothing else in a directory is ever deleted. */
    public static final String TEMP_SUFFIX = ".nabla-tmp";

    /** Writes the content of a file to an open channel, from position 0. */
    @FunctionalInterface
    public interface ChannelWriter {
        /** Writes everything; the channel is closed by the caller. */
        void write(FileChannel channel) throws IOException;
    }

    /** Temporary files this JVM has open: the cleanup must not open them (closing a second
     *  channel to a file would release this JVM's POSIX lock on it). */
    private static final Set<Path> OPEN_HERE = ConcurrentHashMap.newKeySet();

    /**
     * Replaces {@code target} atomically with what {@code writer} writes. When the writer throws,
     * the target is left untouched and the temporary file deleted. The target's directory must
     * exist; a symbolic link as target is followed (the file it points to is replaced).
     */
    public static void write(Path target, ChannelWriter writer) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(abs) && Files.exists(abs)) abs = abs.toRealPath();
        Path dir = abs.getParent();
        if (dir == null || abs.getFileName() == null) throw new IOException(target + ": not a file path");
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "directory does not exist");
        if (Files.isDirectory(abs)) throw new IOException(target + ": is a directory, cannot replace it with a file");

        String prefix = tempPrefix(abs);
        deleteLeftovers(dir, prefix);

        Path tmp = null;
        FileChannel ch = null;
        boolean moved = false;
        try {
            for (int attempt = 0; ch == null; attempt++) {
                Path candidate = dir.resolve(prefix + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
                OPEN_HERE.add(candidate);
                FileChannel c;
                try {
                    c = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    OPEN_HERE.remove(candidate);
                    throw e;
                }
                tmp = candidate;
                FileLock lock = tryLock(c);
                // Another process's cleanup may have taken it between create and lock: start over.
                if (lock != null && Files.exists(tmp)) {
                    ch = c;
                } else {
                    c.close();
                    if (lock != null) Files.deleteIfExists(tmp); // ours, just created (normally already gone)
                    OPEN_HERE.remove(tmp);
                    tmp = null;
                    if (attempt >= 10) throw new IOException(target + ": could not create a locked temporary file in " + dir);
                }
            }
            copyPermissions(abs, tmp);
            writer.write(ch);
            ch.force(true);
            try {
                // Renamed while still open and locked (POSIX and, through FILE_SHARE_DELETE, Windows
                // allow it), so no cleanup elsewhere can delete the finished file before the rename.
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(target + ": the file system cannot rename atomically within " + dir
                        + "; refusing a non-atomic replace that a crash could leave half-written", e);
            }
            moved = true;
        } finally {
            if (ch != null) ch.close();
            if (tmp != null) {
                if (!moved) Files.deleteIfExists(tmp);
                OPEN_HERE.remove(tmp);
            }
        }
        fsyncDirectory(dir);
    }

    /** Replaces {@code target} atomically with {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Replaces {@code target} atomically with {@code text} in UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes all remaining bytes of {@code buf}. */
    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** The temporary files of {@code target}: {@code .<name>.} plus a random part plus the suffix. */
    static String tempPrefix(Path target) {
        String name = target.getFileName().toString();
        if (name.length() > 200) name = name.substring(0, 200); // keep within 255-byte names
        return "." + name + ".";
    }

    /** Deletes the temporary files of crashed writes of this target: those nobody holds a lock on. */
    private static void deleteLeftovers(Path dir, String prefix) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir,
                p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(prefix) && n.endsWith(TEMP_SUFFIX) && !OPEN_HERE.contains(p);
                })) {
            for (Path p : files) {
                try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    if (tryLock(c) != null) Files.deleteIfExists(p); // the writer is gone
                } catch (IOException e) {
                    // vanished meanwhile, or not ours to touch: leave it
                }
            }
        } catch (IOException e) {
            // listing failed: leftovers stay, which is harmless
        }
    }

    private static FileLock tryLock(FileChannel c) throws IOException {
        try {
            return c.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static void copyPermissions(Path from, Path to) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(from, PosixFileAttributeView.class);
            if (view != null && Files.exists(from)) Files.setPosixFilePermissions(to, view.readAttributes().permissions());
        } catch (IOException | UnsupportedOperationException e) {
            // keep the default permissions
        }
    }

    /** Makes the rename durable. Not possible on every OS (Windows cannot open a directory). */
    private static void fsyncDirectory(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // the rename is atomic anyway; only its durability across a power loss is weaker
        }
    }
}
