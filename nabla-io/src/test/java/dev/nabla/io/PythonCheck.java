package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs one of the repository's Python checks (scripts/) against files a test wrote, with the Python
 * run-tests makes for them (NABLA_TEST_PYTHON, scripts/test-python.sh), else /opt/venv/bin/python;
 * with neither, or when that Python lacks the script's modules (its exit code 77), the check is
 * skipped, with the reason.
 */
final class PythonCheck {
    private PythonCheck() {}

    /** The script's output; fails the test on any exit code other than 0 (and 77, a skip). */
    static String run(String script, String... args) throws IOException, InterruptedException {
        Path python = Path.of(System.getenv().getOrDefault("NABLA_TEST_PYTHON", "/opt/venv/bin/python"));
        Assumptions.assumeTrue(Files.isExecutable(python), "no Python for " + script + " (run-tests makes one)");
        List<String> command = new ArrayList<>(List.of(python.toString(), "../scripts/" + script));
        command.addAll(List.of(args));
        // the output goes to a file, so that a script that hangs is stopped at the timeout
        Path log = Files.createTempFile("nabla-python-check", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(script + " did not finish in 120 s: " + Files.readString(log, StandardCharsets.UTF_8));
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Assumptions.assumeTrue(p.exitValue() != 77, out);
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
