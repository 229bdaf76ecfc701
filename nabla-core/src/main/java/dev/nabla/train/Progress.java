package dev.nabla.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Training progress: on a terminal, a bar redrawn in place (epoch n/N, batches, ETA, current
 * metrics); otherwise (a file, CI) one line per epoch.
 */
final class Progress {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final int epochs;
    private final int batches;
    private final boolean terminal;
    private long epochStart;

    Progress(PrintStream out, int epochs, int batches) {
        this.out = out;
        this.epochs = epochs;
        this.batches = batches;
        this.terminal = out == System.out && System.console() != null;
    }

    void batch(int epoch, int done, Map<String, Double> logs) {
        if (done == 1) epochStart = System.nanoTime();
        if (!terminal) return;
        double elapsed = (System.nanoTime() - epochStart) / 1e9;
        double eta = done == 0 ? 0 : elapsed / done * (batches - done);
        int filled = batches == 0 ? WIDTH : WIDTH * done / batches;
        String bar = "=".repeat(Math.max(0, filled - 1)) + (filled < WIDTH ? ">" : "=") + ".".repeat(WIDTH - filled);
        out.print(String.format(Locale.ROOT, "\rEpoch %d/%d %d/%d [%s] ETA %.0fs %s", epoch + 1, epochs, done, batches,
                bar, eta, format(logs)));
        out.flush();
    }

    void epochEnd(int epoch, Map<String, Double> logs) {
        double elapsed = (System.nanoTime() - epochStart) / 1e9;
        String line = String.format(Locale.ROOT, "Epoch %d/%d %d/%d %.2fs %s", epoch + 1, epochs, batches, batches,
                elapsed, format(logs));
        out.println(terminal ? "\r" + line + "\u001b[K" : line);
    }

    static String format(Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder();
        for (var e : logs.entrySet()) {
            if (sb.length() > 0) sb.append(" - ");
            sb.append(e.getKey()).append(": ").append(String.format(Locale.ROOT, "%.4g", e.getValue()));
        }
        return sb.toString();
    }
}
