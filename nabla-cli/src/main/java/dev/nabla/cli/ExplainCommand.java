package dev.nabla.cli;

import dev.nabla.data.Batch;
import dev.nabla.io.spec.ExperimentSpec;
import dev.nabla.io.spec.SpecException;
import dev.nabla.nn.Identity;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Linear;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import dev.nabla.train.BackpropTrace;
import dev.nabla.train.BackpropTrace.LossKind;
import dev.nabla.train.LayerTrace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nabla explain}: backpropagation you can read. Without options, the course's two-layer
 * example (x = 1, w1 = 0.5, w2 = −1, y = 0.5, sigmoids, ½(y − ŷ)², lr 0.1) as the chain rule,
 * checked against autograd; {@code --sheet --input 1,2,3} the exercise sheet's ReLU/softmax
 * forward pass; {@code --spec SPEC.json} a spec's network traced layer by layer (z, a, δ,
 * gradients) on one example.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Print a forward and backward pass value by value: the chain rule, each layer's δ, the gradients "
                + "and the update, checked against autograd.",
                "Without options: the course's two-layer sigmoid example. --sheet: the exercise sheet's ReLU/softmax "
                + "network on --input. --spec: a spec's network on one example."})
public final class ExplainCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Option(names = "--sheet", description = "the exercise sheet's network (W1 3×2, ReLU, W2 2×2, softmax) on --input")
    boolean sheet;

    @Option(names = "--spec", paramLabel = "SPEC.json", description = "trace the network of a spec: Linear layers"
            + " with sigmoid/tanh/relu/identity and mse on one example; any other network (Conv2d, pooling, BatchNorm, dropout,"
            + " softmax with cross-entropy, sigmoid with BCE) layer by layer on a batch")
    Path specFile;

    @Option(names = "--input", split = ",", paramLabel = "X", description = "the input, comma-separated (sheet default 1,2,3;"
            + " spec default: its first training example)")
    double[] input;

    @Option(names = "--target", split = ",", paramLabel = "Y", description = "the target (spec default: that of its first"
            + " training example)")
    double[] target;

    @Option(names = "--batch", paramLabel = "N", description = "examples in the batch a spec's network other than Linear"
            + " layers with mse is traced on (default ${DEFAULT-VALUE}; BatchNorm needs at least 2)")
    int batch = 4;

    @Option(names = "--lr", paramLabel = "RATE", description = "learning rate of the update step (default ${DEFAULT-VALUE})")
    double lr = 0.1;

    @Override
    public Integer call() throws IOException {
        PrintStream out = Streams.out(command);
        try {
            if (sheet && specFile != null) throw UserError.usage("give either --sheet or --spec, not both");
            if (sheet) {
                if (input == null) out.println("(no --input given: using x = (1, 2, 3); the sheet's own input was in a figure)");
                out.print(Explain.sheet(input == null ? new double[] {1, 2, 3} : input));
                return 0;
            }
            if (specFile != null) return spec(out);
            double x = input == null ? 1.0 : single("--input", input);
            double y = target == null ? 0.5 : single("--target", target);
            out.print(Explain.course(BackpropTrace.run(Explain.courseNetwork(0.5, -1.0), new double[] {x}, new double[] {y},
                    LossKind.HALF_SQUARED_ERROR, lr)));
            return 0;
        } catch (SpecException e) {
            throw UserError.usage(specFile + ": " + e.getMessage());
        } catch (UserError e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw UserError.usage(e.getMessage()); // --input or --target of the wrong length, a loss the trace lacks
        }
    }

    private int spec(PrintStream out) throws IOException {
        ExperimentSpec spec = ExperimentSpec.read(specFile);
        Sequential model = spec.model().model();
        if (!spec.lossName().equals("mse") || !model.layers().stream().allMatch(ExplainCommand::dense)) {
            return layers(out, spec, model);
        }
        Batch first = spec.train().get(new int[] {0});
        double[] x = input != null ? input : first.inputs().toDoubleArray();
        double[] y = target != null ? target : first.targets().toDoubleArray();
        var r = BackpropTrace.run(model, x, y, LossKind.MSE, lr);
        out.print(Explain.network("The network of " + specFile + " (" + spec.name() + "), its initial weights, one example:", r));
        return 0;
    }

    // the layers the one-example trace of Explain.network writes out
    private static boolean dense(Layer l) {
        return l instanceof Linear || l instanceof Sigmoid || l instanceof Tanh || l instanceof ReLU || l instanceof Identity;
    }

    // any other network or loss: every layer's backward rule on a small batch (LayerTrace)
    private int layers(PrintStream out, ExperimentSpec spec, Sequential model) {
        if (input != null || target != null) {
            throw new IllegalArgumentException("--input/--target give one example to a network of Linear layers with the mse loss;"
                    + " this spec's network is traced on its first --batch training examples");
        }
        Batch b = spec.train().get(IntStream.range(0, Math.min(batch, spec.train().size())).toArray());
        var r = LayerTrace.run(model, b.inputs(), b.targets(), spec.lossName());
        out.println("The network of " + specFile + " (" + spec.name() + "), its initial weights, in training mode, on its first "
                + b.size() + " training examples; loss " + spec.lossName() + " = " + r.loss());
        out.println("Backward, from the loss down: each layer's rule by hand (plain loops in float64), checked against autograd.");
        out.println();
        out.print(r.text());
        out.println();
        out.printf(Locale.ROOT, "By hand and autograd agree on every gradient: %s (largest difference %.1e)%n",
                r.maxDifference() <= 1e-10 ? "yes" : "NO", r.maxDifference());
        return 0;
    }

    private static double single(String option, double[] v) {
        if (v.length != 1) throw new IllegalArgumentException(option + ": the course's network takes one value, got " + v.length);
        return v[0];
    }
}
