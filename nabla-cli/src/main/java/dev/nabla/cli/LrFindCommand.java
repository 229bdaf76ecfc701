package dev.nabla.cli;

import dev.nabla.dashboard.DashboardServer;
import dev.nabla.dashboard.LiveDashboard;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.io.spec.SpecException;
import dev.nabla.nn.Layer;
import dev.nabla.plot.TrainingCharts;
import dev.nabla.train.LrFinder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla lr-find SPEC.json}: the learning-rate range test ({@link LrFinder}) on a spec's
 * network, optimizer, loss and batch size: prints the sweep and the suggested rate, and plots
 * loss against rate.
 */
@Command(name = "lr-find", mixinStandardHelpOptions = true,
        description = {"Learning-rate range test: train while the rate grows exponentially, plot loss against rate "
                + "(log x) and suggest a rate (steepest descent of the smoothed loss; also minimum/10).",
                "The model and optimizer are left as they were; nothing is saved but the plot."})
public final class LrFindCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC.json", description = "the experiment spec")
    Path specFile;

    @Option(names = "--steps", paramLabel = "N", description = "batches in the sweep (default ${DEFAULT-VALUE})")
    int steps = 100;

    @Option(names = "--start", paramLabel = "LR", description = "first rate (default ${DEFAULT-VALUE})")
    double start = 1e-7;

    @Option(names = "--end", paramLabel = "LR", description = "last rate (default ${DEFAULT-VALUE})")
    double end = 10;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: out/<spec name>)")
    Path out;

    @Mixin
    DashboardOptions dashboard;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintStream o = System.out;
        ExperimentSpec spec;
        try {
            spec = ExperimentSpec.read(specFile);
        } catch (SpecException e) {
            System.err.println("nabla lr-find: " + specFile + ": " + e.getMessage());
            return 2;
        }
        Layer model = spec.model().model();
        var optimizer = spec.optimizer(model.parameters());
        LrFinder.Result r;
        try {
            r = new LrFinder(model, optimizer, spec.loss()).range(start, end).steps(steps).batchSize(spec.batchSize())
                    .seed(spec.seed()).run(spec.train());
        } catch (IllegalArgumentException e) {
            System.err.println("nabla lr-find: " + e.getMessage());
            return 2;
        }
        o.printf(Locale.ROOT, "learning-rate range test of %s: %s, batch %d, %d steps from %.0e to %.0e%n", spec.name(),
                optimizer.name(), spec.batchSize(), steps, start, end);
        o.printf(Locale.ROOT, "%6s %12s %14s %14s%n", "step", "lr", "loss", "smoothed");
        int every = Math.max(1, r.steps() / 20);
        for (int i = 0; i < r.steps(); i++) {
            if (i % every == 0 || i == r.steps() - 1 || i == r.suggestionIndex()) {
                o.printf(Locale.ROOT, "%6d %12.3e %14.6g %14.6g%s%n", i + 1, r.lrs()[i], r.losses()[i], r.smoothed()[i],
                        i == r.suggestionIndex() ? "  <- steepest descent" : "");
            }
        }
        if (r.stoppedEarly()) {
            o.printf(Locale.ROOT, "stopped after %d steps: the loss exploded (moving average above 4x its best) at lr %.3e%n",
                    r.steps(), r.lrs()[r.steps() - 1]);
        }
        o.printf(Locale.ROOT, "suggested learning rate: %.3g (steepest descent of the smoothed loss)%n", r.suggestion());
        o.printf(Locale.ROOT, "  other rule: the minimum of the smoothed loss is at %.3g, /10 = %.3g%n", r.minLr(), r.minDiv10());
        o.printf(Locale.ROOT, "  (the spec uses lr %.3g; the model and optimizer were restored after the sweep)%n", optimizer.lr());
        Path dir = out != null ? out : Path.of("out", spec.name());
        Path png = dir.resolve("lr-find.png");
        TrainingCharts.lrFinder(spec.name() + ": learning-rate range test", r).savePng(png, 800, 500);
        o.println("plot: " + png);
        DashboardServer server = dashboard.start(o, System.err);
        if (server != null) LiveDashboard.publishLrFinder(server, spec.name(), r);
        dashboard.finish(server, o);
        return 0;
    }
}
