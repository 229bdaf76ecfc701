package dev.nabla.cli;

import dev.nabla.dashboard.DashboardServer;
import dev.nabla.dashboard.LiveDashboard;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.nn.Layer;
import dev.nabla.plot.TrainingCharts;
import dev.nabla.train.LrFinder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nabla lr-find SPEC.json}: the learning-rate range test ({@link LrFinder}) on a spec's
 * network, optimizer, loss and batch size: prints the sweep and the suggested rate, and plots
 * loss against rate.
 */
@Command(name = "lr-find", mixinStandardHelpOptions = true,
        description = {"Learning-rate range test: train while the rate grows exponentially, plot loss against rate "
                + "(log x) and suggest a rate (steepest descent of the smoothed loss; also minimum/10).",
                "The model and optimizer are left as they were; nothing is saved but the plot."})
public final class LrFindCommand extends SpecCommand {
    @Option(names = "--steps", paramLabel = "N", description = "batches in the sweep (default ${DEFAULT-VALUE})")
    int steps = 100;

    @Option(names = "--start", paramLabel = "LR", description = "first rate (default ${DEFAULT-VALUE})")
    double start = 1e-7;

    @Option(names = "--end", paramLabel = "LR", description = "last rate (default ${DEFAULT-VALUE})")
    double end = 10;

    @Mixin
    DashboardOptions dashboard;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!(start > 0 && start < end && Double.isFinite(end))) {
            throw UserError.usage("--start " + start + " --end " + end + ": the sweep needs 0 < start < end");
        }
        if (steps < 3) throw UserError.usage("--steps " + steps + ": the sweep needs at least 3 steps");
        PrintStream o = Streams.out(command);
        ExperimentSpec spec = specFile.read(null);
        Path dir = out.checked(spec.name());
        Layer model = spec.model().model();
        var optimizer = spec.optimizer(model.parameters());
        LrFinder.Result r = new LrFinder(model, optimizer, spec.loss()).range(start, end).steps(steps).batchSize(spec.batchSize())
                .seed(spec.seed()).run(spec.train());
        boolean conclusive = r.conclusive();
        o.printf(Locale.ROOT, "learning-rate range test of %s: %s, batch %d, %d steps from %.0e to %.0e%n", spec.name(),
                optimizer.name(), spec.batchSize(), steps, start, end);
        o.printf(Locale.ROOT, "%6s %12s %14s %14s%n", "step", "lr", "loss", "smoothed");
        int every = Math.max(1, r.steps() / 20);
        for (int i = 0; i < r.steps(); i++) {
            if (i % every == 0 || i == r.steps() - 1 || i == r.suggestionIndex()) {
                o.printf(Locale.ROOT, "%6d %12.3e %14.6g %14.6g%s%n", i + 1, r.lrs()[i], r.losses()[i], r.smoothed()[i],
                        conclusive && i == r.suggestionIndex() ? "  <- steepest descent" : "");
            }
        }
        if (r.stoppedEarly()) {
            o.printf(Locale.ROOT, "stopped after %d steps: the loss exploded (moving average above 4x its best) at lr %.3e%n",
                    r.steps(), r.lrs()[r.steps() - 1]);
        }
        if (conclusive) {
            o.printf(Locale.ROOT, "suggested learning rate: %.3g (steepest descent of the smoothed loss)%n", r.suggestion());
            o.printf(Locale.ROOT, "  other rule: the minimum of the smoothed loss is at %.3g, /10 = %.3g%n", r.minLr(), r.minDiv10());
        } else {
            double best = Double.POSITIVE_INFINITY;
            for (double s : r.smoothed()) if (Double.isFinite(s)) best = Math.min(best, s);
            o.printf(Locale.ROOT, "inconclusive: the smoothed loss never fell clearly (from %.4g to at best %.4g, less than %.0f%%),"
                    + " so no rate is suggested;%n  try a wider range (--start, --end), more --steps, or check the data and the loss%n",
                    r.smoothed()[0], best, 100 * LrFinder.CLEAR_FALL);
        }
        o.printf(Locale.ROOT, "  (the spec uses lr %.3g; the model and optimizer were restored after the sweep)%n", optimizer.lr());
        Path png = dir.resolve("lr-find.png");
        TrainingCharts.lrFinder(spec.name() + ": learning-rate range test", r).savePng(png, 800, 500);
        o.println("plot: " + png);
        DashboardServer server = dashboard.start(o, Streams.err(command));
        if (server != null) LiveDashboard.publishLrFinder(server, spec.name(), r);
        dashboard.finish(server, o);
        return 0;
    }
}
