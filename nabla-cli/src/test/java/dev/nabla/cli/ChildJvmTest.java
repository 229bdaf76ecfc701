package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mistakes that need a JVM of their own: a small heap (out of memory), a bad -D setting read
 * when nabla starts, and NABLA_DEBUG from the environment.
 */
class ChildJvmTest {
    private static final Path RUNGE = Path.of("..", "examples", "runge.json");

    record Result(int code, String out, String err) {}

    private static Result nabla(List<String> jvmOptions, Map<String, String> env, Path dir, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", // as ./nabla starts it
                "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.addAll(jvmOptions);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        pb.environment().remove("NABLA_DEBUG");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child JVM finished");
        // the JVM's own notice of the incubator module, which ./nabla drops too
        String err = Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8)
                .replace("WARNING: Using incubator modules: jdk.incubator.vector" + System.lineSeparator(), "");
        return new Result(p.exitValue(), Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8), err);
    }

    @Test
    void outOfMemoryNamesTheModelsSizeAndHowToGiveMore(@TempDir Path dir) throws Exception {
        // each 20-unit tanh layer becomes 3000 tanh units and a 3000 × 3000 linear layer: 18.1 million parameters,
        // 276 MiB to train with Adam, in a 200 MiB heap
        Path spec = Files.writeString(dir.resolve("wide.json"), Files.readString(RUNGE).replace(
                "\"units\": 20, \"activation\": \"tanh\"},",
                "\"units\": 3000, \"activation\": \"tanh\"}, {\"type\": \"linear\", \"units\": 3000},"));
        Result r = nabla(List.of("-Xmx200m"), Map.of(), dir, "train", spec.toString(), "--epochs", "1",
                "--out", dir.resolve("out").toString());
        assertEquals(1, r.code(), r.err());
        // (the JVM reports a little less than -Xmx as its maximum: a survivor space is not counted)
        assertTrue(r.err().matches("(?s)nabla train: out of memory: the Java heap \\(at most 1\\d\\d MiB\\) is too small; the model of "
                + java.util.regex.Pattern.quote(spec.toString()) + " has 18,105,031 parameters: 69 MiB of weights, about 276 MiB.*"),
                r.err());
        assertTrue(r.err().contains("NABLA_JAVA_OPTS=-Xmx1g"), r.err());
        assertEquals(2, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void aBadThreadCountIsAUsageError(@TempDir Path dir) throws Exception {
        Result r = nabla(List.of("-Dnabla.threads=0"), Map.of(), dir, "info");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("nabla info: nabla.threads=0: expected a whole number >= 1")
                && r.err().contains("NABLA_JAVA_OPTS"), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("ExceptionInInitializerError"), r.err());
    }

    @Test
    void nablaDebugPrintsTheStackTrace(@TempDir Path dir) throws Exception {
        Result quiet = nabla(List.of(), Map.of(), dir, "train", "nonexistent.json");
        assertEquals(2, quiet.code());
        assertFalse(quiet.err().contains("\tat "), quiet.err());
        Result debug = nabla(List.of(), Map.of("NABLA_DEBUG", "1"), dir, "train", "nonexistent.json");
        assertEquals(2, debug.code());
        assertTrue(debug.err().startsWith(quiet.err()) && debug.err().contains("\tat dev.nabla.cli.SpecFile"), debug.err());
    }
}
