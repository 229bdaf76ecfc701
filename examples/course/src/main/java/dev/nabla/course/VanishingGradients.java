package dev.nabla.course;

import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Init;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.optim.SGD;
import dev.nabla.plot.LineChart;
import dev.nabla.plot.TrainingCharts;
import dev.nabla.tensor.Generator;
import dev.nabla.train.FitOptions;
import dev.nabla.train.GradientMonitor;
import dev.nabla.train.History;
import dev.nabla.train.Metric;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Vanishing gradients, seen: the same deep network (10 hidden layers of 32) on the spiral
 * problem, once with sigmoid units and PyTorch's default initialization, once with ReLU units
 * and He initialization, once more with batch normalization before each ReLU, trained alike
 * while a {@link GradientMonitor} records each layer's gradient norm. In the sigmoid network
 * the gradient shrinks by orders of magnitude on its way down to the first layer (σ' ≤ 1/4 per
 * layer) and the network hardly learns; with ReLU and He initialization, and with batch
 * normalization, it stays of the same order in every layer.
 */
public final class VanishingGradients extends CourseProgram {
    static final int DEPTH = 10, WIDTH = 32, EPOCHS = 30;

    @Override
    public String name() {
        return "vanishing";
    }

    @Override
    public String title() {
        return "per-layer gradient norms of a deep sigmoid network and of the same network with ReLU and He init";
    }

    /** The three networks compared. */
    enum Variant { SIGMOID, RELU_HE, RELU_HE_BATCHNORM }

    static Sequential network(Variant v, long seed) {
        boolean relu = v != Variant.SIGMOID;
        Generator g = new Generator(seed);
        List<Layer> layers = new ArrayList<>();
        int in = 2;
        for (int i = 0; i < DEPTH; i++) {
            Linear l = new Linear(in, WIDTH, g);
            if (relu) {
                Init.kaimingNormal(l.weight(), 0, Init.FanMode.FAN_IN, Init.Nonlinearity.RELU, g);
                Init.zeros(l.bias());
            }
            layers.add(l);
            if (v == Variant.RELU_HE_BATCHNORM) layers.add(new BatchNorm1d(WIDTH));
            layers.add(relu ? new ReLU() : new Sigmoid());
            in = WIDTH;
        }
        layers.add(new Linear(in, 2, g));
        return new Sequential(layers);
    }

    /** A trained network's monitor, history, and the names of its Linear layers (input side first). */
    private record Run(GradientMonitor monitor, History history, List<String> linears) {}

    private Run train(Variant v, TensorDataset data) {
        Sequential net = network(v, 1);
        GradientMonitor m = new GradientMonitor().probe(data.inputs()).output(null);
        History h = new Trainer(net, new SGD(net.parameters(), 0.02, 0.9, 0, 0, false), Losses::crossEntropy, Metric.ACCURACY)
                .output(new PrintStream(OutputStream.nullOutputStream()))
                .fit(data, new FitOptions().epochs(EPOCHS).batchSize(32).progress(false).callbacks(m));
        List<String> linears = new ArrayList<>();
        net.namedChildren().forEach((name, child) -> {
            if (child instanceof Linear) linears.add(name);
        });
        return new Run(m, h, linears);
    }

    @Override
    protected void compute() throws IOException {
        TensorDataset data = Synthetic.spirals(100, 2, 0.2, new Generator(1));
        line("Two spirals (200 points), a network of %d hidden layers of %d units, SGD lr 0.02 momentum 0.9, %d epochs:",
                DEPTH, WIDTH, EPOCHS);
        Run sig = train(Variant.SIGMOID, data), relu = train(Variant.RELU_HE, data), bn = train(Variant.RELU_HE_BATCHNORM, data);
        List<String> layers = sig.linears();
        int last = EPOCHS - 1;
        line("");
        line("mean gradient norm ‖g‖ of each Linear layer (1 = next to the input)");
        line("%6s %18s %18s %18s %18s %18s", "layer", "sigmoid, epoch 1", "ReLU+He, epoch 1", "+BatchNorm, ep. 1",
                "sigmoid, epoch " + EPOCHS, "ReLU+He, epoch " + EPOCHS);
        double[] x = new double[layers.size()];
        double[][] series = new double[5][layers.size()];
        for (int i = 0; i < layers.size(); i++) {
            String l = layers.get(i);
            x[i] = i + 1;
            series[0][i] = sig.monitor().gradNorms(l)[0];
            series[1][i] = relu.monitor().gradNorms(l)[0];
            series[2][i] = sig.monitor().gradNorms(l)[last];
            series[3][i] = relu.monitor().gradNorms(l)[last];
            series[4][i] = bn.monitor().gradNorms(bn.linears().get(i))[0];
            line("%6d %18.3e %18.3e %18.3e %18.3e %18.3e", i + 1, series[0][i], series[1][i], series[4][i], series[2][i], series[3][i]);
        }
        int top = layers.size() - 1;
        double sigRatio = figure("sigmoidFirstOverLast", series[0][0] / series[0][top]);
        double reluRatio = figure("reluFirstOverLast", series[1][0] / series[1][top]);
        line("");
        double bnRatio = figure("batchNormFirstOverLast", series[4][0] / series[4][top]);
        line("first layer / last layer, epoch 1: sigmoid %.1e, ReLU + He %.2f, ReLU + He + BatchNorm %.2f", sigRatio, reluRatio, bnRatio);
        double sigAcc = figure("sigmoidAccuracy", sig.history().last("accuracy"));
        double reluAcc = figure("reluAccuracy", relu.history().last("accuracy"));
        double bnAcc = figure("batchNormAccuracy", bn.history().last("accuracy"));
        line("training accuracy after %d epochs: sigmoid %.3f, ReLU + He %.3f, ReLU + He + BatchNorm %.3f", EPOCHS, sigAcc, reluAcc, bnAcc);
        figure("sigmoidWarnings", sig.monitor().warnings().size());
        figure("reluWarnings", relu.monitor().warnings().size());
        for (String w : sig.monitor().warnings()) line("sigmoid network: warning: %s", w);
        for (String w : relu.monitor().warnings()) line("ReLU network: warning: %s", w);
        if (relu.monitor().warnings().isEmpty()) line("ReLU network: no warning");
        String dead = relu.monitor().reluLayers().isEmpty() ? "" : String.format(java.util.Locale.ROOT, "%.0f%%",
                100 * relu.monitor().reluLayers().stream().mapToDouble(l -> relu.monitor().deadFractions(l)[last]).max().orElse(0));
        line("most dead ReLU units in one layer at the end: %s", dead);

        Path both = dir.resolve("vanishing.png");
        new LineChart("Gradient norm per layer: deep sigmoid vs ReLU + He init (+ BatchNorm)").xLabel("layer (1 = input side)")
                .yLabel("mean ‖g‖ over the epoch (log)").logY(true)
                .lineWithMarkers("sigmoid, default init, epoch 1", x, series[0])
                .lineWithMarkers("ReLU, He init, epoch 1", x, series[1])
                .dashed("sigmoid, epoch " + EPOCHS, x, series[2])
                .dashed("ReLU + He, epoch " + EPOCHS, x, series[3])
                .lineWithMarkers("ReLU, He init, BatchNorm, epoch 1", x, series[4])
                .savePng(both, 900, 550);
        Path perEpoch = dir.resolve("vanishing-sigmoid-epochs.png");
        TrainingCharts.gradientNorms("Deep sigmoid network: gradient norm per layer and epoch", sig.monitor()).savePng(perEpoch, 900, 550);
        Path perEpochRelu = dir.resolve("vanishing-relu-epochs.png");
        TrainingCharts.gradientNorms("ReLU + He init: gradient norm per layer and epoch", relu.monitor()).savePng(perEpochRelu, 900, 550);
        line("plots: %s, %s, %s", both, perEpoch, perEpochRelu);
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new VanishingGradients(), args);
    }
}
