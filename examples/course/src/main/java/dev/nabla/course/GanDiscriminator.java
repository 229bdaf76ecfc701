package dev.nabla.course;

import dev.nabla.data.FashionMnist;
import dev.nabla.data.ImageDataset;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.BatchNorm1d;
import dev.nabla.nn.Flatten;
import dev.nabla.nn.Layer;
import dev.nabla.nn.LeakyReLU;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Tanh;
import dev.nabla.nn.Unflatten;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import dev.nabla.train.Callback;
import dev.nabla.train.FitOptions;
import dev.nabla.train.GanStep;
import dev.nabla.train.Trainer;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Midterm Q1d: what does a GAN's discriminator learn? It is trained on real images labelled 1
 * and the generator's images labelled 0, and never sees a class label: it learns "real or
 * generated", not "shirt or shoe" (nor "face or not a face"). A small MLP GAN trains on a
 * subset of Fashion-MNIST; after each epoch the program prints D's mean output on real test
 * images it was never trained on and on generated images from fixed noise, and at the end D's
 * mean output on the real test images of each class: every class is "real".
 */
public final class GanDiscriminator extends CourseProgram {
    private final int images, epochs;

    /** 6,000 training images, 10 epochs (about a minute on two cores). */
    public GanDiscriminator() {
        this(6000, 10);
    }

    /** The first {@code images} training images, for {@code epochs} epochs (the tests use fewer). */
    GanDiscriminator(int images, int epochs) {
        this.images = images;
        this.epochs = epochs;
    }

    @Override
    public String name() {
        return "gan-discriminator";
    }

    @Override
    public String title() {
        return "midterm Q1d: a GAN's discriminator learns real vs generated, not the content";
    }

    @Override
    protected void compute() throws IOException {
        ImageDataset train = FashionMnist.train(FashionMnist.DEFAULT_DIR), test = FashionMnist.test(FashionMnist.DEFAULT_DIR);
        int[] first = new int[Math.min(images, train.size())];
        for (int i = 0; i < first.length; i++) first[i] = i;
        // images scaled to [-1, 1], the range of the generator's tanh
        Tensor real = train.get(first).inputs().mul(2).sub(1);
        int[] testIdx = new int[1000];
        for (int i = 0; i < testIdx.length; i++) testIdx[i] = i;
        var testBatch = test.get(testIdx);
        Tensor realTest = testBatch.inputs().mul(2).sub(1);
        long[] classes = testBatch.targets().toLongArray();

        Generator g = new Generator(0);
        int latent = 64;
        Layer generator = new Sequential(new Linear(latent, 256, g), new BatchNorm1d(256), new LeakyReLU(0.2),
                new Linear(256, 784, g), new Tanh(), new Unflatten(1, 28, 28));
        Layer discriminator = new Sequential(new Flatten(), new Linear(784, 256, g), new LeakyReLU(0.2), new Linear(256, 1, g));
        GanStep step = new GanStep(generator, discriminator, new Adam(generator.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false),
                new Adam(discriminator.parameters(), 2e-4, 0.5, 0.999, 1e-8, 0, false), latent, new Generator(1));
        Tensor noise = Tensor.randn(new Generator(2), 1000, latent);

        line("The discriminator D is trained with binary cross-entropy on two kinds of images:");
        line("  real Fashion-MNIST images, label 1, and the generator's images G(z), label 0.");
        line("It never sees the 10 class labels. The generator is trained to make D output 1 on G(z).");
        line("D's mean output (its probability of 'real') on 1,000 real test images D never trained on,");
        line("and on 1,000 generated images from fixed noise:");
        line("%6s %14s %14s %9s %9s", "epoch", "D(real test)", "D(generated)", "d_loss", "g_loss");
        line("%6d %14.4f %14.4f %9s %9s", 0, mean(step.judge(realTest)), mean(step.judge(step.sample(noise))), "", "");
        double[][] history = new double[epochs][2];
        Callback report = new Callback() {
            @Override
            public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
                history[epoch][0] = mean(step.judge(realTest));
                history[epoch][1] = mean(step.judge(step.sample(noise)));
                line("%6d %14.4f %14.4f %9.4f %9.4f", epoch + 1, history[epoch][0], history[epoch][1], logs.get("d_loss"),
                        logs.get("g_loss"));
            }
        };
        new Trainer(step).output(out).fit(new TensorDataset(real, null),
                new FitOptions().epochs(epochs).batchSize(64).seed(3).progress(false).callbacks(report));
        figure("realEarly", history[0][0]);
        figure("generatedEarly", history[0][1]);
        figure("realLate", history[epochs - 1][0]);
        figure("generatedLate", history[epochs - 1][1]);

        double[] byClass = new double[10];
        int[] count = new int[10];
        double[] d = step.judge(realTest).toDoubleArray();
        for (int i = 0; i < d.length; i++) {
            byClass[(int) classes[i]] += d[i];
            count[(int) classes[i]]++;
        }
        line("");
        line("D's mean output on the real test images of each class, at the end:");
        double lo = 1, hi = 0;
        List<String> names = FashionMnist.CLASSES;
        for (int c = 0; c < 10; c++) {
            byClass[c] /= count[c];
            lo = Math.min(lo, byClass[c]);
            hi = Math.max(hi, byClass[c]);
            line("  %-12s %.4f", names.get(c), byClass[c]);
        }
        figure("classSpread", hi - lo);
        line("D calls real images of every class real (and generated ones fake): it answers 'real or");
        line("generated?', not 'which garment?'. A GAN trained on faces likewise learns real vs generated");
        line("faces, not faces vs non-faces (midterm Q1d). Equilibrium would be D = 0.5 on both.");
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new GanDiscriminator(), args);
    }

    private static double mean(Tensor t) {
        return t.mean().item();
    }
}
