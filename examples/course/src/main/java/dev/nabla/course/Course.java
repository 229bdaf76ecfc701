package dev.nabla.course;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The index of the course's programs ({@link #programs()}) and of the course items another
 * nabla command reproduces ({@link #elsewhere()}), as {@code ./nabla course} lists them.
 */
public final class Course {
    private Course() {}

    /** A course item reproduced by another command. */
    public record Elsewhere(String topic, String command) {}

    /** Every program, in the order of COURSE.md. */
    public static List<CourseProgram> programs() {
        return List.of(
                new MiniBatchMean(),
                new InputGradient(),
                new LogisticRegression(),
                new Activations(),
                new SigmoidToTanh(),
                new SoftmaxStability(),
                new LinearCollapse(),
                new OutputsAndLosses(),
                new HierarchicalSoftmaxProgram(),
                new CrossEntropy(),
                new BatchNormBatchOfOne(),
                new Underfitting(),
                new WeightSymmetry(),
                new VanishingGradients(),
                new GradientCheck(),
                new GanDiscriminator());
    }

    /** The program of that name. */
    public static Optional<CourseProgram> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return programs().stream().filter(p -> p.name().equals(n)).findFirst();
    }

    /** Course items that other commands reproduce. */
    public static List<Elsewhere> elsewhere() {
        return List.of(
                new Elsewhere("manual backprop of the 2-layer net, δ of each layer", "./nabla explain"),
                new Elsewhere("forward pass of the exercise sheet's ReLU/softmax net", "./nabla explain --sheet --input 1,2,3"),
                new Elsewhere("backprop through a spec's network, layer by layer", "./nabla explain --spec examples/runge.json"),
                new Elsewhere("gradient descent on x² + 4, learning rates", "./nabla gd \"x^2 + 4\" --x0 10 --lr 0.1 --steps 30"),
                new Elsewhere("momentum, Adam, Newton, Rosenbrock, saddle points", "./nabla optimize rosenbrock"),
                new Elsewhere("choosing the learning rate: range test", "./nabla lr-find examples/runge.json"),
                new Elsewhere("the Runge experiment", "./nabla train examples/runge.json"),
                new Elsewhere("per-layer gradient norms while training", "./nabla diagnose examples/runge.json"),
                new Elsewhere("learning curves of a spec: training-set size, L2", "./nabla curves examples/runge.json --vary train-size"),
                new Elsewhere("VGG16 parameter counts", "./nabla summary examples/vgg16.json"),
                new Elsewhere("a next-word language model with hierarchical softmax", "./nabla train examples/next-word.json"));
    }
}
