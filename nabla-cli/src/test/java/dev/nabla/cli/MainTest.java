package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    /** Runs nabla with args; returns {exit code, stdout, stderr}. */
    private static Object[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Object[] {code, out.toString(), err.toString()};
    }

    @Test
    void helpListsSubcommands() {
        Object[] r = run("--help");
        assertEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("info"), (String) r[1]);
    }

    @Test
    void versionNamesNablaJavaAndKernel() {
        Object[] r = run("--version");
        assertEquals(0, r[0]);
        String out = (String) r[1];
        assertTrue(out.contains("nabla") && out.contains("java") && out.contains("kernel"), out);
    }

    @Test
    void infoPrintsThreads() {
        Object[] r = run("info");
        assertEquals(0, r[0]);
        assertTrue(((String) r[1]).contains("threads"), (String) r[1]);
    }

    @Test
    void unknownOptionIsAUsageError() {
        Object[] r = run("--no-such-option");
        assertEquals(2, r[0]);
        assertTrue(((String) r[2]).contains("--no-such-option"), (String) r[2]);
    }
}
