package dev.nabla.cli;

import dev.nabla.data.Dataset;
import dev.nabla.data.Splits;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.io.spec.ModelSpec;
import dev.nabla.plot.TrainingCharts;
import dev.nabla.tensor.Generator;
import dev.nabla.train.LearningCurves;
import dev.nabla.train.Metric;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nabla curves SPEC.json --vary train-size|l2}: learning curves ({@link LearningCurves}):
 * the spec's network trained afresh on growing subsets of its training data, or with growing L2
 * regularization; prints the table and plots training and validation (or test) figure, which is
 * accuracy for a classification loss and the loss otherwise.
 */
@Command(name = "curves", mixinStandardHelpOptions = true,
        description = {"Learning curves: train the spec's network on growing subsets of the training data (--vary "
                + "train-size) or with growing L2 weight penalty (--vary l2); print and plot training and validation figures.",
                "The figure is accuracy for cross_entropy/nll/bce losses, the loss itself otherwise."})
public final class CurvesCommand extends SpecCommand {
    /** What varies along the x axis. */
    enum Vary { train_size, l2 }

    @Option(names = "--vary", required = true, paramLabel = "train-size|l2", converter = VaryConverter.class,
            description = "train-size: 10%%, 20%%, ..., 100%% of the training data; l2: λ in --l2")
    Vary vary;

    @Option(names = "--fractions", split = ",", paramLabel = "F", description = "training-set fractions (default 0.1,0.2,...,1)")
    double[] fractions;

    @Option(names = "--l2", split = ",", paramLabel = "λ", description = "L2 strengths (default 0,1e-5,1e-4,1e-3,1e-2,1e-1)")
    double[] l2 = {0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};

    @Mixin
    EpochsOption epochs;

    /** Accepts train-size / train_size and l2. */
    static final class VaryConverter implements picocli.CommandLine.ITypeConverter<Vary> {
        @Override
        public Vary convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "train-size", "train_size", "size" -> Vary.train_size;
                case "l2" -> Vary.l2;
                default -> throw new picocli.CommandLine.TypeConversionException("'" + value + "': choose train-size or l2");
            };
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintStream o = Streams.out(command);
        ExperimentSpec spec = specFile.read(null);
        Path dir = out.checked(spec.name());
        double split = spec.validationSplit();
        Dataset train = spec.train(), validation;
        String validationName;
        if (spec.data().validation() != null) {
            // file data: the spec has held the validation part out already
            validation = spec.data().validation();
            validationName = "validation";
        } else if (split > 0) {
            // the split nabla train makes (fit splits with the fit options' seed)
            var parts = Splits.trainValidation(spec.train(), split, new Generator(spec.seed() + 2));
            train = parts.train();
            validation = parts.validation();
            validationName = "validation";
        } else if (spec.test() != null) {
            validation = spec.test();
            validationName = "test";
        } else {
            throw UserError.usage(specFile.file + " has neither a validation split nor test data to compare with;"
                    + " set \"validationSplit\" in its \"training\"");
        }
        Metric metric = switch (spec.lossName()) {
            case "cross_entropy", "nll" -> Metric.ACCURACY;
            case "bce" -> Metric.BINARY_ACCURACY;
            default -> null;
        };
        var curves = new LearningCurves(() -> ModelSpec.build(spec.modelJson(), "$.model", new Generator(spec.seed())).model(),
                spec::optimizer, spec.loss(), metric)
                .epochs(epochs.orElse(spec.epochs())).batchSize(spec.batchSize()).seed(spec.seed());
        String figure = metric == null ? spec.lossName() : metric.name();
        LearningCurves.Curve c;
        try {
            if (vary == Vary.train_size) {
                double[] f = fractions != null ? fractions : new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
                c = curves.vsTrainSize(train, validation, f, 0);
            } else {
                c = curves.vsL2(train, validation, l2);
            }
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage()); // --fractions or --l2 out of range
        }
        o.printf(Locale.ROOT, "learning curves of %s: %s against %s, %d epochs per run%n", spec.name(), figure, c.varied(),
                epochs.orElse(spec.epochs()));
        String x = vary == Vary.train_size ? "examples" : "l2";
        o.printf(Locale.ROOT, "%12s %14s %14s%n", x, "train " + figure, validationName + " " + figure);
        for (int i = 0; i < c.x().length; i++) {
            String xv = vary == Vary.train_size ? String.valueOf(c.trainSizes()[i]) : String.format(Locale.ROOT, "%.0e", c.x()[i]);
            o.printf(Locale.ROOT, "%12s %14.6g %14.6g%n", xv, c.train()[i], c.validation()[i]);
        }
        Path png = dir.resolve(vary == Vary.train_size ? "curves-train-size.png" : "curves-l2.png");
        var chart = TrainingCharts.learningCurve(spec.name() + ": learning curve", c, validationName);
        if (metric == null && allPositive(c)) chart.logY(true);
        chart.savePng(png, 800, 500);
        o.println("plot: " + png);
        return 0;
    }

    private static boolean allPositive(LearningCurves.Curve c) {
        for (int i = 0; i < c.x().length; i++) if (!(c.train()[i] > 0 && c.validation()[i] > 0)) return false;
        return true;
    }
}
