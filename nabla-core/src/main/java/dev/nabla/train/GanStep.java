package dev.nabla.train;

import dev.nabla.data.Batch;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Losses;
import dev.nabla.optim.ExponentialMovingAverage;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The training step of a generative adversarial network (Goodfellow et al. 2014), as the
 * PyTorch DCGAN tutorial writes it. On each batch of real images x:
 * <ol>
 *   <li>the discriminator D (which outputs one logit per image) is trained to tell real images
 *       (label 1, or {@link #realLabel(double) less}) from generated ones G(z) (label 0), z ~ N(0, 1)
 *       of {@link #latentSize}: loss_D = BCE(D(x), 1) + BCE(D(G(z).detach()), 0); the {@code detach} keeps this update
 *       from reaching the generator;
 *   <li>every {@link #discriminatorSteps(int) k}-th batch, the generator is trained to make D call
 *       the same G(z) real, with the non-saturating loss loss_G = BCE(D(G(z)), 1) through the
 *       freshly updated D (D's gradients from this pass are zeroed before D's next update).
 * </ol>
 * Both losses are BCE with logits. The batch's values: {@code d_loss}, {@code g_loss} (on the
 * batches where G is trained), and the mean probabilities D(x) and D(G(z)) that D gave before its
 * update: D(x) → 1 and D(G(z)) → 0 mean D wins; both near 0.5 is the equilibrium.
 *
 * <pre>{@code
 * var step = new GanStep(g, d, new Adam(g.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false),
 *         new Adam(d.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false), 100, new Generator(0));
 * History h = new Trainer(step).fit(images, new FitOptions().epochs(20).batchSize(128));
 * Tensor samples = step.sample(Tensor.randn(new Generator(1), 64, 100));
 * }</pre>
 */
public final class GanStep implements TrainStep {
    /** The names of its models and optimizers. */
    public static final String GENERATOR = "generator", DISCRIMINATOR = "discriminator";
    /** The name of the generator's weight average among its models. */
    public static final String GENERATOR_AVERAGE = "generator_ema";

    private final Layer generator, discriminator;
    private final Optimizer generatorOptimizer, discriminatorOptimizer;
    private final int latentSize;
    private final Generator noise;
    private int discriminatorSteps = 1;
    private double realLabel = 1;
    private ExponentialMovingAverage generatorAverage;

    /**
     * A GAN step: generator maps [n, latentSize] noise to [n, …] images, discriminator maps
     * images to [n, 1] (or [n]) logits; noise draws the latent vectors.
     */
    public GanStep(Layer generator, Layer discriminator, Optimizer generatorOptimizer, Optimizer discriminatorOptimizer,
                   int latentSize, Generator noise) {
        if (latentSize < 1) throw new IllegalArgumentException("GanStep: latent size " + latentSize + " must be >= 1");
        this.generator = generator;
        this.discriminator = discriminator;
        this.generatorOptimizer = generatorOptimizer;
        this.discriminatorOptimizer = discriminatorOptimizer;
        this.latentSize = latentSize;
        this.noise = noise;
    }

    /** Trains the generator once every k batches (the discriminator on every batch); default 1. */
    public GanStep discriminatorSteps(int k) {
        if (k < 1) throw new IllegalArgumentException("GanStep: discriminator steps " + k + " must be >= 1");
        this.discriminatorSteps = k;
        return this;
    }

    /**
     * One-sided label smoothing (Salimans et al. 2016, "Improved techniques for training GANs"):
     * D learns to give real images the target t (0.9 is usual) instead of 1, which keeps it from
     * growing overconfident on them; generated images keep the target 0, and G's loss the target 1.
     * Default 1 (no smoothing).
     */
    public GanStep realLabel(double t) {
        if (!(t > 0 && t <= 1)) {
            throw new IllegalArgumentException("GanStep: real label " + t + " must be in (0, 1] (0.9 smooths; 1 does not)");
        }
        this.realLabel = t;
        return this;
    }

    /** The discriminator's target for real images: 1, or less with label smoothing. */
    public double realLabel() {
        return realLabel;
    }

    /**
     * Keeps an exponential moving average of the generator's weights in average (a second
     * generator of the same architecture, overwritten now), updated after every generator step;
     * {@link #sample} then draws from the average, which gives sharper images early in training
     * (the practice of progressive GANs and BigGAN). The average is one of {@link #models()}, so
     * checkpoints keep it.
     */
    public GanStep averageGenerator(Layer average, double decay) {
        this.generatorAverage = new ExponentialMovingAverage(generator, average, decay);
        return this;
    }

    /** The generator that {@link #sample} uses: the weight average when there is one, else the generator. */
    public Layer sampler() {
        return generatorAverage != null ? generatorAverage.average() : generator;
    }

    /** The size of the generator's input. */
    public int latentSize() {
        return latentSize;
    }

    /** The generator. */
    public Layer generator() {
        return generator;
    }

    /** The discriminator. */
    public Layer discriminator() {
        return discriminator;
    }

    @Override
    public Map<String, Double> trainStep(Batch batch, StepContext context) {
        Tensor real = batch.inputs();
        int n = real.shape()[0];
        boolean trainGenerator = (context.batch() + 1) % discriminatorSteps == 0;
        Tensor z = Tensor.randn(noise, real.dtype(), n, latentSize);
        Tensor fake;
        if (trainGenerator) {
            fake = generator.forward(z); // recorded: the generator's update backpropagates through it
        } else {
            try (var s = GradMode.noGrad()) {
                fake = generator.forward(z);
            }
        }
        Tensor onReal = logits(real), onFake = logits(fake.detach());
        Tensor realTarget = realLabel == 1 ? onReal.onesLike() : onReal.onesLike().mul(realLabel);
        Tensor dLoss = Losses.binaryCrossEntropyWithLogits(onReal, realTarget)
                .add(Losses.binaryCrossEntropyWithLogits(onFake, onFake.zerosLike()));
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("d_loss", context.update(discriminatorOptimizer, dLoss));
        if (trainGenerator) {
            Tensor judged = logits(fake);
            values.put("g_loss", context.update(generatorOptimizer,
                    Losses.binaryCrossEntropyWithLogits(judged, judged.onesLike())));
            if (generatorAverage != null) generatorAverage.update();
        }
        try (var s = GradMode.noGrad()) {
            values.put("D(x)", onReal.sigmoid().mean().item());
            values.put("D(G(z))", onFake.sigmoid().mean().item());
        }
        return values;
    }

    // D's logits as [n]; a discriminator giving [n, 1] is flattened
    private Tensor logits(Tensor images) {
        Tensor out = discriminator.forward(images);
        int n = images.shape()[0];
        if (out.numel() != n) {
            throw new IllegalArgumentException("GanStep: the discriminator must give one logit per image, got shape "
                    + Arrays.toString(out.shape()) + " for " + n + " images; end it with a linear layer of 1 unit");
        }
        return out.reshape(n);
    }

    /** The {@link #sampler()}'s images for the latent vectors z [n, latentSize], in eval mode, without recording. */
    public Tensor sample(Tensor z) {
        Layer g = sampler();
        return StepContext.inEval(java.util.List.of(g), () -> {
            try (var s = GradMode.noGrad()) {
                return g.forward(z);
            }
        });
    }

    /** D's probability that each image is real, in eval mode, without recording. */
    public Tensor judge(Tensor images) {
        return StepContext.inEval(java.util.List.of(discriminator), () -> {
            try (var s = GradMode.noGrad()) {
                return logits(images).sigmoid();
            }
        });
    }

    @Override
    public Map<String, Layer> models() {
        Map<String, Layer> m = new LinkedHashMap<>();
        m.put(GENERATOR, generator);
        m.put(DISCRIMINATOR, discriminator);
        if (generatorAverage != null) m.put(GENERATOR_AVERAGE, generatorAverage.average());
        return m;
    }

    @Override
    public Map<String, Optimizer> optimizers() {
        Map<String, Optimizer> m = new LinkedHashMap<>();
        m.put(GENERATOR, generatorOptimizer);
        m.put(DISCRIMINATOR, discriminatorOptimizer);
        return m;
    }

    @Override
    public Map<String, Generator> generators() {
        return Map.of("noise", noise);
    }
}
