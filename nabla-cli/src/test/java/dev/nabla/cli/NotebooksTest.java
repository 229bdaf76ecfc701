package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notebooks of examples/notebooks run by {@code nabla shell FILE.jsh}; each states its checks, which must all hold. */
class NotebooksTest {
    private static final Path NOTEBOOKS = Path.of("..", "examples", "notebooks");

    @TempDir
    static Path plots;

    @BeforeAll
    static void plotsIntoTemp() {
        System.setProperty(Shell.PLOTS_PROPERTY, plots.toString());
    }

    @AfterAll
    static void restore() {
        System.clearProperty(Shell.PLOTS_PROPERTY);
    }

    private static String runs(String notebook) {
        CliRun.Output r = CliRun.run("shell", NOTEBOOKS.resolve(notebook).toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(!r.out().contains("check failed"), r.out());
        return r.out();
    }

    @Test
    void batchNormNotebook() {
        String out = runs("batchnorm.jsh");
        for (String s : new String[] {"ok: by hand = BatchNorm1d in training mode", "ok: evaluation mode uses the running averages",
                "ok: training mode refuses a batch of 1", "ok: with batch norm it learns", "plot: " + plots}) {
            assertTrue(out.contains(s), s + " in\n" + out);
        }
    }

    @Test
    void manualBackpropNotebook() throws IOException {
        String out = runs("manual-backprop.jsh");
        assertEquals(13, out.lines().filter(l -> l.startsWith("ok: ")).count(), out);
        String plot = out.lines().filter(l -> l.startsWith("plot: ")).findFirst().orElseThrow().substring(6);
        CliRun.assertPng(Path.of(plot), 800, 500);
    }

    @Test
    void aFailingSnippetStopsTheNotebookWithItsLine(@TempDir Path dir) throws IOException {
        Path nb = dir.resolve("bad.jsh");
        Files.writeString(nb, "int a = 1;\n\n// a comment\ncheck(\"a is 2\", a == 2);\nSystem.out.println(\"not reached\");\n");
        CliRun.Output r = CliRun.run("shell", nb.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.jsh:4: java.lang.AssertionError: check failed: a is 2"), r.err());
        assertTrue(!r.out().contains("not reached"), r.out());
        Files.writeString(nb, "int a = ;\n");
        r = CliRun.run("shell", nb.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad.jsh:1: this snippet does not compile"), r.err());
        assertEquals(2, CliRun.run("shell", dir.resolve("missing.jsh").toString()).code());
    }
}
