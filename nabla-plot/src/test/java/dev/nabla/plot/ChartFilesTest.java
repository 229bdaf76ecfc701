package dev.nabla.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartFilesTest {

    @TempDir
    Path tmp;

    @Test
    void aFailedWriteKeepsThePreviousFileAndLeavesNoTempFile() throws IOException {
        Path file = tmp.resolve("chart.png");
        ChartFiles.writeAtomically(file, out -> out.write("old".getBytes(StandardCharsets.UTF_8)));
        IOException e = assertThrows(IOException.class, () -> ChartFiles.writeAtomically(file, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertArrayEquals("old".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
        PlotAssertions.assertNoTempFiles(tmp);
    }

    @Test
    void writtenFilesGetTheUsualPermissionsNotOwnerOnly() throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) return;
        Path plain = Files.createFile(tmp.resolve("plain"));
        Path chart = tmp.resolve("chart.svg");
        ChartFiles.writeAtomically(chart, out -> out.write('x'));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(chart));
    }

    @Test
    void renderingRunsHeadless() throws IOException {
        new LineChart("h").line("a", new double[] {1, 2}).savePng(tmp.resolve("h.png"), 200, 150);
        assertEquals("true", System.getProperty("java.awt.headless"));
        assertTrue(GraphicsEnvironment.isHeadless());
    }

    @Test
    void aFolderIsNotAFile() {
        assertThrows(IllegalArgumentException.class, () -> ChartFiles.writeAtomically(tmp, out -> out.write(1)));
    }
}
