package dev.nabla.cli;

import dev.nabla.dashboard.DashboardServer;
import dev.nabla.data.Batch;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.nn.Layer;
import dev.nabla.plot.TrainingCharts;
import dev.nabla.train.GradientMonitor;
import dev.nabla.train.NonFiniteException;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nabla diagnose SPEC.json}: trains a spec's network with a {@link GradientMonitor}:
 * prints each layer's gradient and weight norms per epoch, the fraction of dead ReLU units and
 * any vanishing/exploding warning, and plots the gradient norms per epoch. Nothing is saved but
 * the plot.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = "Train a spec's network while recording per-layer gradient and weight norms and dead ReLUs; "
                + "warn of vanishing or exploding gradients; plot the gradient norms per epoch.")
public final class DiagnoseCommand extends SpecCommand {
    @Mixin
    EpochsOption epochs;

    @Mixin
    DashboardOptions dashboard;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintStream o = Streams.out(command);
        ExperimentSpec spec = specFile.read(null);
        Path dir = out.checked(spec.name());
        Layer model = spec.model().model();
        int probeSize = Math.min(256, spec.train().size());
        Batch probe = spec.train().get(IntStream.range(0, probeSize).toArray());
        GradientMonitor monitor = new GradientMonitor().probe(probe.inputs()).output(o);
        EpochLog log = new EpochLog();
        var options = spec.fitOptions().callbacks(monitor, log);
        options.epochs(epochs.orElse(spec.epochs()));
        DashboardServer server = dashboard.start(o, Streams.err(command));
        if (server != null) {
            options.callbacks(Watchers.dashboard(server, spec.name(), options.epochs(), spec.data(), spec.isCurveFit()));
        }
        String stopped = null; // the run this command exists to explain may explode: report the epochs before it
        try {
            new Trainer(model, spec.optimizer(model.parameters()), spec.loss(), spec.metrics()).output(o).fit(spec.train(), options);
        } catch (NonFiniteException e) {
            stopped = e.getMessage();
        }
        int n = monitor.epochs().size();
        if (n == 0) throw UserError.failure("training stopped in its first epoch, before any report: " + stopped);
        o.println();
        o.println("mean gradient norm ‖g‖ per layer and epoch:");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%6s", "epoch"));
        for (String l : monitor.layers()) head.append(String.format(Locale.ROOT, " %14s", monitor.label(l)));
        o.println(head);
        int every = Math.max(1, n / 15);
        for (int e = 0; e < n; e++) {
            if (e % every != 0 && e != n - 1) continue;
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%6d", e + 1));
            for (String l : monitor.layers()) row.append(String.format(Locale.ROOT, " %14.4e", monitor.gradNorms(l)[e]));
            o.println(row);
        }
        StringBuilder w = new StringBuilder(String.format(Locale.ROOT, "%6s", "‖w‖"));
        for (String l : monitor.layers()) w.append(String.format(Locale.ROOT, " %14.4e", monitor.weightNorms(l)[n - 1]));
        o.println(w + "   (weight norms after the last epoch)");
        if (monitor.reluLayers().isEmpty()) {
            o.println("dead ReLUs: the network has no ReLU layer");
        } else {
            for (String l : monitor.reluLayers()) {
                o.printf(Locale.ROOT, "dead ReLUs in layer %s: %.1f%% of its units (0 on all %d probe examples)%n", l,
                        100 * monitor.deadFractions(l)[n - 1], probeSize);
            }
        }
        o.println(monitor.warnings().isEmpty() ? "no warnings: gradients neither vanish nor explode"
                : monitor.warnings().size() + " warning(s), see above");
        if (stopped == null) o.printf(Locale.ROOT, "final loss %.4e after %d epochs%n", log.get("loss")[n - 1], n);
        Path png = dir.resolve("gradient-norms.png");
        TrainingCharts.gradientNorms(spec.name() + ": gradient norm per layer", monitor).savePng(png, 800, 500);
        o.println("plot: " + png);
        if (stopped != null) {
            throw UserError.failure("training stopped: " + stopped + "\n  the report above covers the " + n
                    + " finished epoch(s); plot: " + png);
        }
        dashboard.finish(server, o);
        return 0;
    }
}
