package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic replacement, tested the hard way: a child JVM saves a 16 MB file over and over and is
 * killed (destroyForcibly, i.e. SIGKILL) at a random moment; after every kill the target must
 * read back as one complete version, the last one the child reported or the one after it (killed
 * between the rename and the report). Leftover temporary files of the killed child are expected
 * (that is how we know a kill landed mid-write), must never be the target, and are deleted by
 * the next save.
 */
class AtomicWriteTest {
    @TempDir
    Path dir;

    static final int ELEMENTS = 4_000_000; // 16 MB of float32 per version

    // The test's class path plus, when the modules are on the module path (surefire with
    // module-info), those too: the child runs everything from the class path.
    static String childClassPath() {
        String modules = System.getProperty("jdk.module.path", "");
        return modules.isEmpty() ? System.getProperty("java.class.path")
                : modules + File.pathSeparator + System.getProperty("java.class.path");
    }

    private static Process child(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", childClassPath(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                AtomicSaveChild.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Lines of the child's output, read by a daemon thread. */
    static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) q.add(line);
            } catch (IOException e) {
                // the child died
            }
            q.add("<eof>");
        });
        t.setDaemon(true);
        t.start();
        return q;
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(AtomicFiles.TEMP_SUFFIX)).toList();
        }
    }

    private static Map<String, Tensor> version(long v) {
        return Map.of("w", Tensor.full(DType.FLOAT32, v, ELEMENTS), "v", Tensor.of(new long[] {v}));
    }

    /** Reads the target; returns its version, or -1 when it is not one complete version. */
    private static long completeVersion(Path target) {
        try {
            TensorFile f = Safetensors.read(target);
            long v = Long.parseLong(f.requireMetadata("version"));
            float[] w = f.require("w", DType.FLOAT32, ELEMENTS).toFloatArray();
            for (float x : w) if (x != (float) v) return -1;
            if (f.require("v").toLongArray()[0] != v) return -1;
            return v;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    record Stats(int rounds, int corrupt, int midWrite) {}

    /**
     * Starts a saving child, kills it at a random moment after its first save, checks the target;
     * at least {@code minRounds} times and until {@code wantMidWrite} kills landed mid-write (a temp
     * file was left), at most {@code maxRounds} times.
     */
    private Stats killLoop(String mode, int minRounds, int maxRounds, int wantMidWrite, boolean strict) throws Exception {
        Path target = dir.resolve("model.safetensors");
        Safetensors.write(target, version(0), Map.of("version", "0"));
        SplittableRandom rnd = new SplittableRandom(42);
        int corrupt = 0, midWrite = 0;
        int r = 0;
        for (; r < maxRounds && (r < minRounds || midWrite < wantMidWrite); r++) {
            long first = (r + 1) * 1000L;
            Process p = child(mode, target.toString(), Integer.toString(ELEMENTS), Long.toString(first));
            BlockingQueue<String> out = lines(p);
            long lastSaved = -1;
            try {
                String line = out.poll(30, TimeUnit.SECONDS);
                assertNotNull(line, "the child did not save within 30 s");
                assertTrue(line.startsWith("saved "), "child said: " + line + " " + String.join("\n", out));
                lastSaved = Long.parseLong(line.substring(6));
                Thread.sleep(rnd.nextInt(10, 300));
            } finally {
                p.destroyForcibly();
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the child did not die");
            }
            for (String line; !(line = out.take()).equals("<eof>"); ) {
                if (line.startsWith("saved ")) lastSaved = Long.parseLong(line.substring(6));
            }
            List<Path> left = leftovers();
            if (!left.isEmpty()) midWrite++;
            for (Path l : left) {
                assertTrue(l.getFileName().toString().startsWith(".model.safetensors."), "temp file name: " + l);
            }
            long v = completeVersion(target);
            if (v < 0) corrupt++;
            System.out.printf("%s round %d: last reported save %d, target holds %s, %d temp file(s) left%n",
                    mode, r, lastSaved, v < 0 ? "A CORRUPT FILE" : "version " + v, left.size());
            if (strict) {
                assertTrue(v == lastSaved || v == lastSaved + 1,
                        "round " + r + ": target holds " + (v < 0 ? "a corrupt file" : "version " + v)
                                + ", but the child last reported saving " + lastSaved);
            }
        }
        return new Stats(r, corrupt, midWrite);
    }

    @Test
    void killingTheWriterMidSaveNeverCorruptsTheTarget() throws Exception {
        // About half the kills land mid-write here (the rest during the tensor's creation, the
        // directory fsync or the report): go on until 2 did, which a few rounds do.
        Stats s = killLoop("save", 6, 20, 2, true);
        assertEquals(0, s.corrupt());
        assertTrue(s.midWrite() >= 2, "only " + s.midWrite() + " of " + s.rounds() + " kills landed during a write");
        // The next save deletes the killed writers' temporary files.
        Path target = dir.resolve("model.safetensors");
        Safetensors.write(target, version(5), Map.of("version", "5"));
        assertEquals(List.of(), leftovers());
        assertEquals(5, completeVersion(target));
    }

    /** By hand: {@code -Dnabla.io.demoNonAtomic=true} shows the same kills corrupting an in-place writer. */
    @Test
    @EnabledIfSystemProperty(named = "nabla.io.demoNonAtomic", matches = "true")
    void theKillTestCatchesAnInPlaceWriter() throws Exception {
        Stats s = killLoop("direct", 10, 10, 0, false);
        System.out.println("in-place writer: " + s.corrupt() + " corrupt targets in " + s.rounds() + " kills");
        assertTrue(s.corrupt() >= 1);
    }

    @Test
    void aLiveWritersTempFileIsLeftAloneAndADeadOnesIsDeleted() throws Exception {
        Path target = dir.resolve("m.safetensors");
        Path tmp = dir.resolve(".m.safetensors.deadbeef" + AtomicFiles.TEMP_SUFFIX);
        Process p = child("hold", tmp.toString());
        try {
            BlockingQueue<String> out = lines(p);
            assertEquals("locked", out.poll(30, TimeUnit.SECONDS));
            Safetensors.write(target, Map.of("a", Tensor.ones(3)));
            assertTrue(Files.exists(tmp), "a temp file locked by a live process must not be deleted");
        } finally {
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        Safetensors.write(target, Map.of("a", Tensor.ones(3)));
        assertFalse(Files.exists(tmp), "the dead process's temp file is deleted by the next save");
    }

    @Test
    void unrelatedFilesAreNeverDeleted() throws IOException {
        Path target = dir.resolve("m.safetensors");
        List<Path> others = List.of(dir.resolve(".other.safetensors.1" + AtomicFiles.TEMP_SUFFIX),
                dir.resolve("m.safetensors.bak"), dir.resolve(".m.safetensors.1.tmp"), dir.resolve(".m.safetensors"));
        for (Path o : others) Files.writeString(o, "keep");
        Path stale = dir.resolve(".m.safetensors.0123" + AtomicFiles.TEMP_SUFFIX);
        Files.writeString(stale, "half a file");
        Safetensors.write(target, Map.of("a", Tensor.ones(3)));
        for (Path o : others) assertEquals("keep", Files.readString(o));
        assertFalse(Files.exists(stale));
    }

    @Test
    void aFailingWriterLeavesTheTargetUntouchedAndNoTempFile() throws IOException {
        Path target = dir.resolve("t.json");
        AtomicFiles.writeString(target, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, ch -> {
            ch.write(java.nio.ByteBuffer.wrap("new, half".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(), leftovers());
        RuntimeException re = assertThrows(RuntimeException.class, () -> AtomicFiles.write(target, ch -> {
            throw new IllegalStateException("bug in the writer");
        }));
        assertEquals("bug in the writer", re.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void bytesStringsSymlinksAndDirectories() throws IOException {
        Path target = dir.resolve("spec.json");
        AtomicFiles.writeString(target, "{\"a\": \"β\"}");
        assertEquals("{\"a\": \"β\"}", Files.readString(target));
        AtomicFiles.writeBytes(target, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));

        Path link = dir.resolve("link.json");
        try {
            Files.createSymbolicLink(link, target.getFileName());
        } catch (UnsupportedOperationException | IOException e) {
            return; // no symbolic links here
        }
        AtomicFiles.writeString(link, "through the link");
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertEquals("through the link", Files.readString(target));

        Path sub = Files.createDirectory(dir.resolve("sub"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(sub, "x"));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }
}
