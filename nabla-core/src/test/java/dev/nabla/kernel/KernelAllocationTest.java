package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Compiled Panama kernels allocate nothing. Whether C2 leaves Vector API calls as their Java
 * fallbacks (which allocate every vector) depends on what it compiled before, so the check runs
 * in a fresh JVM (AllocationProbe, on the class path) on the pattern that showed it: tanh and
 * sigmoid used in turn made C2 inline both functions' loops into one compilation and run out of
 * node budget (9,216 bytes a call of 768 floats, twice the time) before VectorTranscendentals
 * called its large loops through method handles.
 */
class KernelAllocationTest {
    @Test
    void tanhAndSigmoidInTurnAllocateNothingOnceCompiled() throws IOException, InterruptedException {
        assertProbeEndsAtZero("tanh and sigmoid in turn");
    }

    /** The staging's inlining (StagedLoops): a program near its size bound, its vectors all in registers. */
    @Test
    void aStagedLoopAllocatesNothingOnceCompiled() throws IOException, InterruptedException {
        assertProbeEndsAtZero("a staged loop with two tanh", "staged");
    }

    private static void assertProbeEndsAtZero(String what, String... args) throws IOException, InterruptedException {
        assumeTrue(KernelProvider.get() != KernelProvider.scalar(), "the Panama kernels are not in use");
        Path classes = Path.of("target", "classes"), testClasses = Path.of("target", "test-classes");
        assumeTrue(Files.isDirectory(classes) && Files.isDirectory(testClasses), "run from nabla-core's build");
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(launcher, "--add-modules", "jdk.incubator.vector",
                "-cp", classes + File.pathSeparator + testClasses, "dev.nabla.kernel.AllocationProbe"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        List<String> rounds = out.lines().filter(l -> l.startsWith("bytes per call: "))
                .map(l -> l.substring("bytes per call: ".length())).toList();
        assertFalse(rounds.isEmpty(), out);
        assertEquals("0", rounds.get(rounds.size() - 1), "bytes per call of " + what + ", by round: " + rounds);
    }
}
