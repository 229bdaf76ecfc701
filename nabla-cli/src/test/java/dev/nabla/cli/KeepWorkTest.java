package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that stops early keeps what it did and says where; outputs that could mislead do not:
 * a one-epoch loss curve shows its point, an lr-find sweep whose loss never falls suggests nothing.
 */
class KeepWorkTest {
    private static final Path RUNGE = Path.of("..", "examples", "runge.json");

    // Runge with SGD at lr 3: the loss grows ~10^5 per epoch and overflows in epoch 7
    private static Path exploding(Path dir) throws IOException {
        String s = Files.readString(RUNGE).replace("\"type\": \"adam\", \"lr\": 0.01", "\"type\": \"sgd\", \"lr\": 3")
                .replace("\"epochs\": 300", "\"epochs\": 50");
        return Files.writeString(dir.resolve("exploding.json"), s);
    }

    @Test
    void aNonFiniteStopKeepsTheHistoryThePlotAndTheWeights(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        CliRun.Output r = CliRun.run("train", exploding(dir).toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.err());
        String err = r.err();
        assertTrue(err.startsWith("nabla train: training stopped: the loss became Infinity at epoch 7"), err);
        Path checkpoint = out.resolve(dev.nabla.io.Checkpoint.FILE_NAME);
        assertTrue(err.contains("kept: " + checkpoint + " (the weights after epoch 6, the last good one; --resume continues from it)")
                && err.contains(out.resolve("history.csv").toString()) && err.contains(out.resolve("loss.png") + " (6 finished epochs)"),
                err);
        MistakesTest.assertNoStackTrace(r, err);
        List<String> history = Files.readAllLines(out.resolve("history.csv"));
        assertEquals(7, history.size(), "a header and 6 epochs");
        assertTrue(history.get(0).startsWith("epoch,loss,mae,val_loss,val_mae,lr"), history.get(0));
        CliRun.assertPng(out.resolve("loss.png"), 800, 500);
        // the checkpoint holds epoch 6 with finite weights, and no model file pretends the run finished
        var kept = dev.nabla.io.Checkpoint.load(checkpoint);
        assertEquals(6, kept.epoch());
        for (var p : kept.model().values()) assertTrue(Double.isFinite(p.abs().max().item()));
        assertFalse(Files.exists(out.resolve(dev.nabla.io.spec.SavedModel.FILE_NAME)), "no model file pretending the run finished");
    }

    @Test
    void anExplodingDiagnoseKeepsItsReport(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        CliRun.Output r = CliRun.run("diagnose", exploding(dir).toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().contains("mean gradient norm ‖g‖ per layer and epoch:") && r.out().contains("warning(s), see above"),
                r.out());
        assertTrue(r.err().contains("training stopped: the loss became Infinity")
                && r.err().contains("the report above covers the 6 finished epoch(s); plot: " + out.resolve("gradient-norms.png")),
                r.err());
        CliRun.assertPng(out.resolve("gradient-norms.png"), 800, 500);
    }

    @Test
    void lrFindIsInconclusiveWhenTheLossNeverFalls(@TempDir Path dir) throws IOException {
        // rates of 1e-9 .. 1e-8 move nothing: the loss stays where it started
        CliRun.Output r = CliRun.run("lr-find", RUNGE.toString(), "--start", "1e-9", "--end", "1e-8", "--steps", "30",
                "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("inconclusive: the smoothed loss never fell clearly"), r.out());
        assertFalse(r.out().contains("suggested learning rate") || r.out().contains("<- steepest descent"), r.out());
        CliRun.assertPng(dir.resolve("lr-find.png"), 800, 500);
    }

    @Test
    void aOneEpochLossCurveShowsItsPoint(@TempDir Path dir) throws IOException {
        EpochLog log = new EpochLog();
        log.onEpochEnd(null, 0, Map.of("loss", 0.5, "val_loss", 0.7));
        log.saveLossPlot(dir.resolve("marked.png"), "one epoch", "mse");
        // the same curve as a bare line: one point draws nothing but its legend entry
        new dev.nabla.plot.LineChart("one epoch").xLabel("epoch").yLabel("mse").logY(true)
                .line("train", new double[] {1}, new double[] {0.5}).line("validation", new double[] {1}, new double[] {0.7})
                .savePng(dir.resolve("bare.png"), 800, 500);
        int marked = coloured(dir.resolve("marked.png")), bare = coloured(dir.resolve("bare.png"));
        assertTrue(bare == 0 && marked > 40, "markers add visible points: " + marked + " vs " + bare + " coloured pixels");
    }

    // pixels in a saturated colour (the series'), not the black, grey and white of text, axes and grid;
    // left of x = 600, away from the legend in the top right corner
    private static int coloured(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < 600; x++) {
                int c = img.getRGB(x, y), r = (c >> 16) & 255, g = (c >> 8) & 255, b = c & 255;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80) n++;
            }
        }
        return n;
    }

    @Test
    void aFullDiskSaysSoAndWhatToDo() {
        // /dev/full answers every write with ENOSPC, as a full disk does
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "no /dev/full here");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> Files.write(full, new byte[4096]));
        Errors.Report r = Errors.report(e, null, null);
        assertEquals(1, r.exitCode());
        assertTrue(r.message().startsWith("the disk is full (no space left on device)") && r.message().contains("--out DIR"),
                r.message());
    }
}
