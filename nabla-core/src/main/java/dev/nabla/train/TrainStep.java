package dev.nabla.train;

import dev.nabla.data.Batch;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import java.util.Map;

/**
 * One training step of {@link Trainer#fit}, as Keras's {@code Model.train_step}: given a batch,
 * it runs the forward passes, computes its losses, updates its models (usually through
 * {@link StepContext#update}, which also checks for NaN and clips) and returns the batch's named
 * values (losses, metrics: batch means). fit averages each over the epoch, weighted by batch
 * size, and shows them in the progress bar, the {@link History}, the callbacks and the plots.
 *
 * <p>Plain {@code fit} runs a {@link SupervisedStep}; a GAN runs a {@link GanStep}; any other
 * loop with several models, optimizers, {@code detach} and alternating updates is one class:
 *
 * <pre>{@code
 * TrainStep distill = new TrainStep() {
 *     public Map<String, Double> trainStep(Batch b, StepContext ctx) {
 *         Tensor teacherOut;
 *         try (var s = GradMode.noGrad()) { teacherOut = teacher.forward(b.inputs()); }
 *         Tensor loss = Losses.mseLoss(student.forward(b.inputs()), teacherOut);
 *         return Map.of("loss", ctx.update(opt, loss));
 *     }
 *     public Map<String, Layer> models() { return Map.of("student", student); }
 *     public Map<String, Optimizer> optimizers() { return Map.of("student", opt); }
 * };
 * new Trainer(distill).fit(data, new FitOptions().epochs(5));
 * }</pre>
 *
 * <p>Everything a step changes is reachable from {@link #models()}, {@link #optimizers()} and
 * {@link #generators()}, so a checkpoint that saves those resumes the step exactly.
 */
public interface TrainStep {
    /** Trains on one batch and returns its named values (batch means), in a stable order. */
    Map<String, Double> trainStep(Batch batch, StepContext context);

    /**
     * Trains on the examples at indices of data; what fit calls. By default it fetches the batch
     * and runs {@link #trainStep(Batch, StepContext)}; a step whose gradient can be spread over
     * micro-batches and machines ({@link SupervisedStep}) works from the indices instead.
     */
    default Map<String, Double> trainStep(Dataset data, int[] indices, StepContext context) {
        if (context.microBatches() != 1) {
            throw new IllegalArgumentException("fit: " + getClass().getSimpleName() + " trains on whole batches; micro-batches ("
                    + context.microBatches() + ") and engines apply to the plain step of fit; use microBatches(1)");
        }
        return trainStep(data.get(indices), context);
    }

    /**
     * The named values on a batch of validation or test data, without updating anything (called
     * in eval mode, without recording a graph); the default refuses, for steps with no such notion.
     */
    default Map<String, Double> testStep(Batch batch) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no test step: it cannot evaluate"
                + " or validate; override TrainStep.testStep, or fit without validation data");
    }

    /** The models it trains, by name: fit puts them in training mode each epoch; checkpoints save them. */
    Map<String, Layer> models();

    /** Its optimizers, by name (their learning rates are logged; checkpoints save their state). */
    Map<String, Optimizer> optimizers();

    /** Random generators the step draws from besides its models' own (e.g. a GAN's latent noise). */
    default Map<String, Generator> generators() {
        return Map.of();
    }
}
