package dev.nabla.cli;

import dev.nabla.io.AtomicFiles;
import dev.nabla.plot.LineChart;
import dev.nabla.train.Callback;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Records every finished epoch's logs as training goes, so that a run that stops early (a NaN
 * loss, a full disk) still has its history: saved as history.csv and plotted as loss.png.
 */
final class EpochLog implements Callback {
    /** Up to this many epochs the loss curve marks each point (a one-epoch curve is a single marker). */
    static final int MARKED_EPOCHS = 30;

    private final List<Map<String, Double>> epochs = new ArrayList<>();

    /** An empty log. */
    EpochLog() {}

    /** A log that starts with the epochs of an earlier run (a resumed run's history). */
    EpochLog(List<Map<String, Double>> before) {
        before.forEach(this::add);
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        add(logs);
    }

    /** Appends one epoch's logs (for training that calls no callbacks). */
    void add(Map<String, Double> logs) {
        epochs.add(Collections.unmodifiableMap(new LinkedHashMap<>(logs))); // in the order of the logs
    }

    /** The last epoch's logs; there must be one. */
    Map<String, Double> last() {
        return epochs.get(epochs.size() - 1);
    }

    /** The number of finished epochs. */
    int size() {
        return epochs.size();
    }

    /** One quantity per epoch; NaN where an epoch lacks it. */
    double[] get(String key) {
        double[] v = new double[epochs.size()];
        for (int i = 0; i < v.length; i++) v[i] = epochs.get(i).getOrDefault(key, Double.NaN);
        return v;
    }

    /** The training (and validation) loss per epoch, log y; points marked for short runs. */
    void saveLossPlot(Path file, String title, String lossName) throws IOException {
        double[] x = new double[epochs.size()];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        boolean marked = x.length <= MARKED_EPOCHS;
        LineChart lc = new LineChart(title).xLabel("epoch").yLabel(lossName).logY(true);
        if (marked) lc.lineWithMarkers("train", x, get("loss"));
        else lc.line("train", x, get("loss"));
        if (!epochs.isEmpty() && epochs.get(0).containsKey("val_loss")) {
            if (marked) lc.lineWithMarkers("validation", x, get("val_loss"));
            else lc.line("validation", x, get("val_loss"));
        }
        lc.savePng(file, 800, 500);
    }

    /** The history as CSV: a header "epoch,loss,...", one row per epoch (written whole or not at all). */
    void saveCsv(Path file) throws IOException {
        Set<String> keys = new LinkedHashSet<>();
        for (var e : epochs) keys.addAll(e.keySet());
        StringBuilder sb = new StringBuilder("epoch");
        for (String k : keys) sb.append(',').append(k);
        sb.append('\n');
        for (int i = 0; i < epochs.size(); i++) {
            sb.append(i + 1);
            for (String k : keys) {
                Double v = epochs.get(i).get(k);
                sb.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.17g", v));
            }
            sb.append('\n');
        }
        java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.writeString(file, sb.toString());
    }
}
