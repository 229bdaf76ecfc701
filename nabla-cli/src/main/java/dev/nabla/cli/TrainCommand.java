package dev.nabla.cli;

import dev.nabla.data.TensorDataset;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.io.spec.SavedModel;
import dev.nabla.io.spec.SpecException;
import dev.nabla.nn.Module;
import dev.nabla.plot.LineChart;
import dev.nabla.train.History;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nabla train SPEC.json}: trains the network a spec describes, with a progress bar,
 * prints the final and test metrics, saves the model (spec + safetensors weights) and writes
 * the loss curves and, for a 1-D regression, the fitted curve as PNG files.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train the network of a JSON spec; save the model and plots into an output folder.")
public final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC.json", description = "the experiment spec (see examples/)")
    Path specFile;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: out/<spec name>)")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "override the spec's number of epochs")
    Integer epochs;

    @Override
    public Integer call() throws IOException {
        PrintStream o = System.out;
        ExperimentSpec spec;
        try {
            spec = ExperimentSpec.read(specFile);
        } catch (SpecException e) {
            System.err.println("nabla train: " + specFile + ": " + e.getMessage());
            return 2;
        }
        Path dir = out != null ? out : Path.of("out", spec.name());
        Module model = spec.model().model();
        o.print(model.summary(spec.model().inputShape()));
        var options = spec.fitOptions();
        if (epochs != null) options.epochs(epochs);
        Trainer trainer = new Trainer(model, spec.optimizer(model.parameters()), spec.loss(), spec.metrics());
        long start = System.nanoTime();
        History history = trainer.fit(spec.train(), options);
        double seconds = (System.nanoTime() - start) / 1e9;
        o.printf(Locale.ROOT, "trained %d epochs in %.2f s%n", history.size(), seconds);
        o.println("final: " + format(history.epochs().get(history.size() - 1)));
        TensorDataset test = spec.test();
        if (test != null) {
            Map<String, Double> t = trainer.evaluate(test, 1024);
            o.println("test (" + test.size() + " points): " + format(t));
            if (spec.lossName().equals("mse")) o.printf(Locale.ROOT, "test MSE: %.4e%n", t.get("loss"));
        }
        SavedModel.save(dir.resolve("model"), spec.modelJson(), model);
        o.println("model saved to " + dir.resolve("model"));
        Path losses = dir.resolve("loss.png");
        double[] epochAxis = new double[history.size()];
        for (int i = 0; i < epochAxis.length; i++) epochAxis[i] = i + 1;
        LineChart lc = new LineChart(spec.name() + ": loss per epoch").xLabel("epoch").yLabel(spec.lossName()).logY(true)
                .line("train", epochAxis, history.get("loss"));
        if (history.epochs().get(0).containsKey("val_loss")) lc.line("validation", epochAxis, history.get("val_loss"));
        lc.savePng(losses, 800, 500);
        o.println("plot: " + losses);
        if (spec.isCurveFit() && test != null) {
            Path fit = dir.resolve("fit.png");
            double[] x = test.inputs().toDoubleArray();
            TensorDataset train = (TensorDataset) spec.train();
            new LineChart(spec.name() + ": fitted curve").xLabel("x").yLabel("y")
                    .line("true", x, test.targets().toDoubleArray())
                    .dashed("network", x, trainer.predict(test.inputs(), 1024).toDoubleArray())
                    .markers("data (training + validation)", train.inputs().toDoubleArray(), train.targets().toDoubleArray())
                    .savePng(fit, 800, 500);
            o.println("plot: " + fit);
        }
        return 0;
    }

    private static String format(Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder();
        for (var e : logs.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append(' ').append(String.format(Locale.ROOT, "%.4e", e.getValue()));
        }
        return sb.toString();
    }
}
