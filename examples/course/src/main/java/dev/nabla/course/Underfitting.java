package dev.nabla.course;

import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.optim.Adam;
import dev.nabla.plot.LineChart;
import dev.nabla.tensor.Generator;
import dev.nabla.train.LearningCurves;
import dev.nabla.train.Metric;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Learning curves against the training-set size for two models of the three-spiral problem: a
 * linear classifier (softmax regression) stays at a low training accuracy however much data it
 * gets (underfitting: more data does not help, a bigger model does), while a two-hidden-layer
 * network fits small training sets perfectly but generalizes badly from them (overfitting: more
 * data helps).
 */
public final class Underfitting extends CourseProgram {
    @Override
    public String name() {
        return "learning-curves";
    }

    @Override
    public String title() {
        return "training vs validation accuracy as the training set grows: underfitting vs overfitting";
    }

    private LearningCurves.Curve curve(Supplier<Layer> model, TensorDataset train, TensorDataset validation, double[] fractions) {
        return new LearningCurves(model, p -> new Adam(p, 0.01), Losses::crossEntropy, Metric.ACCURACY).epochs(40).batchSize(32)
                .vsTrainSize(train, validation, fractions, 0);
    }

    @Override
    protected void compute() throws IOException {
        TensorDataset train = Synthetic.spirals(100, 3, 0.2, new Generator(1));
        TensorDataset validation = Synthetic.spirals(100, 3, 0.2, new Generator(2));
        double[] fractions = {50 / 300.0, 0.33, 0.67, 1.0};
        LearningCurves.Curve linear = curve(() -> new Linear(2, 3, new Generator(0)), train, validation, fractions);
        LearningCurves.Curve mlp = curve(() -> {
            Generator g = new Generator(0);
            return new Sequential(new Linear(2, 64, g), new ReLU(), new Linear(64, 64, g), new ReLU(), new Linear(64, 3, g));
        }, train, validation, fractions);
        line("Three spirals, 300 training and 300 validation points; Adam lr 0.01, 40 epochs per run; accuracy:");
        line("%10s %16s %16s %16s %16s", "examples", "linear: train", "linear: valid.", "MLP: train", "MLP: valid.");
        for (int i = 0; i < fractions.length; i++) {
            line("%10d %16.3f %16.3f %16.3f %16.3f", linear.trainSizes()[i], linear.train()[i], linear.validation()[i], mlp.train()[i],
                    mlp.validation()[i]);
        }
        figure("linearTrainAt50", linear.train()[0]);
        figure("linearTrainAtAll", linear.train()[fractions.length - 1]);
        figure("mlpTrainAt50", mlp.train()[0]);
        figure("mlpValidationAt50", mlp.validation()[0]);
        figure("mlpValidationAtAll", mlp.validation()[fractions.length - 1]);
        line("");
        line("The linear model's training accuracy stays low even on 50 examples: it underfits, and more data does not");
        line("fix that; a bigger model does. The MLP learns 50 examples almost by heart (high training, lower validation");
        line("accuracy): it overfits, and the gap closes as the training set grows.");
        Path png = dir.resolve("learning-curves.png");
        double[] x = linear.x();
        new LineChart("Three spirals: accuracy against training-set size").xLabel("training examples").yLabel("accuracy")
                .lineWithMarkers("linear, training", x, linear.train())
                .dashed("linear, validation", x, linear.validation())
                .lineWithMarkers("MLP, training", x, mlp.train())
                .dashed("MLP, validation", x, mlp.validation())
                .yRange(0, 1.05)
                .savePng(png, 800, 500);
        line("plot: %s", png);
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new Underfitting(), args);
    }
}
