package dev.nabla.bench;

import dev.nabla.data.Batch;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.BatchNorm2d;
import dev.nabla.nn.Conv2d;
import dev.nabla.nn.ConvTranspose2d;
import dev.nabla.nn.Init;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Tanh;
import dev.nabla.nn.Unflatten;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.MaxPool2d;
import dev.nabla.nn.Layer;
import dev.nabla.nn.ReLU;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Vgg;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.GanStep;
import dev.nabla.train.StepContext;
import java.util.Arrays;
import java.util.List;

/**
 * The convolutional protocols of BENCH.md in nabla, run by {@link NablaProtocols} (bench/run cnn
 * dcgan vgg16); bench/rival_torch.py and bench/rival_jax.py run the same ones.
 *
 * <ul>
 *   <li>{@code cnn}: Conv2d(1,32,3,pad 1)-ReLU-MaxPool2 → Conv2d(32,64,3,pad 1)-ReLU-MaxPool2 →
 *       Flatten → Linear(3136,128)-ReLU → Linear(128,10); cross-entropy, Adam lr 1e-3, batch 128,
 *       random data of Fashion-MNIST's shape (60,000 × 1×28×28 in [0, 1], 10 classes), shuffled.
 *       20 warm-up steps (after 5, the JIT was still compiling: the next steps ran 20% slow) and at
 *       least {@link #WARM_SECONDS}, then 5 repetitions of 20 steps; the median gives samples/s.
 *   <li>{@code dcgan}: the training step of examples/dcgan-fashion.json ({@link GanStep}: D on real
 *       and detached generated images, then G with the non-saturating loss; Linear(100 → 6272) →
 *       BN → ReLU → ConvTranspose(128→64, 4, 2, 1) → BN → ReLU → ConvTranspose(64→1) → tanh against
 *       Conv(1→64, 4, 2, 1) → LeakyReLU → Conv(64→128) → BN → LeakyReLU → Linear(6272 → 1)), batch
 *       128 of random images in [−1, 1], Adam 2e-4: 3 warm-up steps and at least {@link #WARM_SECONDS},
 *       then 3 repetitions of 5 steps.
 *   <li>{@code vgg16}: VGG16 (configuration D, 2 classes, no dropout) on 224×224×3, batch 2: one
 *       forward + backward pass, median of 3 after a warm-up of one pass and at least {@link #WARM_SECONDS}.
 * </ul>
 * The counts are {@link Plan}'s; float32, 2 threads.
 */
public final class CnnBench {
    static final int BATCH = 128;

    private CnnBench() {}

    // ---------------------------------------------------------------- the protocols

    static Sequential cnnModel(Generator g) {
        return new Sequential(Conv2d.builder(1, 32, 3).padding(1).generator(g).build(), new ReLU(), new MaxPool2d(2),
                Conv2d.builder(32, 64, 3).padding(1).generator(g).build(), new ReLU(), new MaxPool2d(2), new Flatten(),
                new Linear(3136, 128, g), new ReLU(), new Linear(128, 10, g));
    }

    /**
     * Seconds that a warm-up lasts at least, for every participant (bench/rival_common.py has the same):
     * nabla's dcgan step took 1.7 s in its first 5 steps, then 520, 485, 445 ms and settled at
     * 330–450 ms only after ~20 s of running, while the JIT compiled; 3 warm-up steps had timed it at
     * 246 samples/s where it runs at ~300 and more.
     */
    static final double WARM_SECONDS = 20;

    /**
     * The median ms per step of a training step: warm steps and at least {@link #WARM_SECONDS} (not
     * in a quick plan), then reps repetitions of steps steps.
     */
    static double timedSteps(Runnable step, int warm, int steps, int reps, boolean quick) {
        long start = System.nanoTime(), minWarm = quick ? 0 : (long) (WARM_SECONDS * 1e9);
        for (int i = 0; i < warm || System.nanoTime() - start < minWarm; i++) step.run();
        double[] ms = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) step.run();
            ms[r] = (System.nanoTime() - t0) / 1e6 / steps;
        }
        return RungeBench.median(ms);
    }

    /** The indices of the next batch of a shuffled epoch (perm), from pos[0] on, wrapping around. */
    static Tensor nextBatch(long[] perm, int[] pos) {
        if (pos[0] + BATCH > perm.length) pos[0] = 0;
        Tensor idx = Tensor.of(Arrays.copyOfRange(perm, pos[0], pos[0] + BATCH));
        pos[0] += BATCH;
        return idx;
    }

    /** The cnn protocol's training step, on {@code train} random images. */
    static Runnable cnnStep(int train) {
        Generator g = new Generator(0);
        Sequential model = cnnModel(g);
        Adam adam = new Adam(model.parameters(), 1e-3);
        Tensor x = Tensor.rand(g, train, 1, 28, 28);
        Tensor y = Tensor.randint(g, 0, 10, train);
        long[] perm = Tensor.randperm(g, train).toLongArray();
        int[] pos = {0};
        return () -> {
            Tensor idx = nextBatch(perm, pos);
            adam.zeroGrad();
            Tensor loss = Losses.crossEntropy(model.forward(x.indexSelect(0, idx)), y.indexSelect(0, idx));
            loss.backward();
            adam.step();
        };
    }

    /** The dcgan's generator (examples/dcgan-fashion.json), N(0, 0.02) weights as initDcgan gives them. */
    static Sequential dcganGenerator(Generator g) {
        return initDcgan(new Sequential(new Linear(100, 6272, false, g), new BatchNorm1d(6272), new ReLU(),
                new Unflatten(128, 7, 7), ConvTranspose2d.builder(128, 64, 4).stride(2).padding(1).bias(false).generator(g).build(),
                new BatchNorm2d(64), new ReLU(), ConvTranspose2d.builder(64, 1, 4).stride(2).padding(1).generator(g).build(),
                new Tanh()), g);
    }

    /** The dcgan's discriminator, initialized as the generator. */
    static Sequential dcganDiscriminator(Generator g) {
        return initDcgan(new Sequential(Conv2d.builder(1, 64, 4).stride(2).padding(1).generator(g).build(), new LeakyReLU(0.2),
                Conv2d.builder(64, 128, 4).stride(2).padding(1).bias(false).generator(g).build(), new BatchNorm2d(128),
                new LeakyReLU(0.2), new Flatten(), new Linear(6272, 1, g)), g);
    }

    // weights N(0, 0.02), batch norm scales N(1, 0.02), biases 0
    private static Sequential initDcgan(Sequential model, Generator g) {
        for (Layer m : model.namedLayers().values()) {
            if (!m.hasParameter("weight")) continue;
            Init.normal(m.parameter("weight"), m.typeName().startsWith("BatchNorm") ? 1 : 0, 0.02, g);
            if (m.hasParameter("bias")) Init.zeros(m.parameter("bias"));
        }
        return model;
    }

    /** The dcgan protocol's training step (as examples/dcgan-fashion.json), driven as fit drives it. */
    static Runnable dcganStep(int train) {
        Generator g = new Generator(0);
        Sequential gen = dcganGenerator(g), disc = dcganDiscriminator(g);
        GanStep gan = new GanStep(gen, disc, new Adam(gen.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false),
                new Adam(disc.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false), 100, new Generator(1));
        StepContext context = new StepContext(gan, Double.POSITIVE_INFINITY);
        // scaled in place: rand·2 − 1 as two new tensors held three copies of the 188 MB data at once, the process's peak
        Tensor x = Tensor.rand(g, train, 1, 28, 28).mulInPlace(2).subInPlace(Tensor.scalar(1));
        long[] perm = Tensor.randperm(g, train).toLongArray();
        int[] pos = {0};
        return () -> {
            Tensor idx = nextBatch(perm, pos);
            gan.trainStep(new Batch(x.indexSelect(0, idx), null), context);
        };
    }

    /** The vgg16 protocol: one forward + backward of VGG16 (no dropout) at batch 2. */
    static Runnable vgg16Step() {
        Generator g = new Generator(0);
        Layer model = vgg16(g);
        Tensor x = Tensor.rand(g, 2, 3, 224, 224);
        Tensor y = Tensor.of(new long[] {0, 1});
        return () -> {
            model.zeroGrad();
            Losses.crossEntropy(model.forward(x), y).backward();
        };
    }

    /** The vgg16 protocol's model: VGG16, configuration D, 2 classes, no dropout. */
    static Sequential vgg16(Generator g) {
        return Vgg.builder("D").classes(2).dropout(0).generator(g).build();
    }

    static double cnnSamplesPerSecond(Plan plan) {
        return BATCH * 1e3 / timedSteps(cnnStep(plan.train()), plan.cnnWarm(), plan.cnnSteps(), plan.cnnReps(), plan.quick());
    }

    static double dcganSamplesPerSecond(Plan plan) {
        return BATCH * 1e3 / timedSteps(dcganStep(plan.train()), plan.dcganWarm(), plan.dcganSteps(), plan.dcganReps(),
                plan.quick());
    }

    /** Seconds of one pass, the median of plan.vggReps() after a warm-up. */
    static double vgg16Seconds(Plan plan) {
        return timedSteps(vgg16Step(), 1, 1, plan.vggReps(), plan.quick()) / 1e3;
    }
}
