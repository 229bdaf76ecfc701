package dev.nabla.bench;

import dev.nabla.data.Synthetic;
import dev.nabla.data.TensorDataset;
import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.nn.Layer;
import dev.nabla.nn.Sequential;
import dev.nabla.nn.Sigmoid;
import dev.nabla.nn.Tanh;
import dev.nabla.optim.Adam;
import dev.nabla.tensor.Generator;
import dev.nabla.train.FitOptions;
import dev.nabla.train.Trainer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BENCH.md's "runge" protocol in nabla: 200 random points of 1/(1+25x²) in [−1, 1] (30% held out
 * for validation), a 100-point test grid, 1-20 tanh-10 sigmoid-20 tanh-10 sigmoid-1, MSE, Adam,
 * batch 39, 300 epochs ({@link Plan#rungeEpochs}) through {@link Trainer#fit} (which also evaluates the validation part each
 * epoch). Median over seeds of the wall time of the 300 epochs and of the test MSE, after warm-up
 * runs of seed 0 for at least {@link #WARM_SECONDS}: the rivals' warm-up run compiles their step
 * (JAX's jit), and the JVM needs seconds on two cores to compile nabla's kernels with C2. Until it
 * has, they run as C1 code, in which the Vector API is not intrinsified: with one warm-up run the
 * first learning rate's runs took 0.58 s, against 0.15 s once C2 had compiled them (after about
 * 10 s on a busy machine).
 */
final class RungeBench {
    static final int BATCH = 39;
    /** Seconds of warm-up runs before the timed ones (the first learning rate's; the second finds the JIT warm). */
    static final double WARM_SECONDS = 15;

    private RungeBench() {}

    /** A figure "runge lr=0.01" per learning rate: the median seconds, with the median test MSE. */
    static List<Figure> run(Plan plan) {
        List<Figure> out = new ArrayList<>();
        for (double lr : plan.rungeLrs()) {
            double[] r = run(plan, lr);
            // the name as rival_common.py writes it ("%g": 0.01, 0.001)
            out.add(new Figure("runge lr=" + BigDecimal.valueOf(lr).stripTrailingZeros().toPlainString(), "s", r[0], r[1]));
        }
        return out;
    }

    /** {median seconds, median test MSE} for one learning rate. */
    static double[] run(Plan plan, double lr) {
        long warmStart = System.nanoTime();
        do {
            fit(plan, lr, 0);
        } while (!plan.quick() && System.nanoTime() - warmStart < WARM_SECONDS * 1e9);
        double[] seconds = new double[plan.rungeSeeds()], mse = new double[plan.rungeSeeds()];
        for (int seed = 0; seed < seconds.length; seed++) {
            double[] r = fit(plan, lr, seed);
            seconds[seed] = r[0];
            mse[seed] = r[1];
        }
        return new double[] {median(seconds), median(mse)};
    }

    /** {seconds, test MSE} of one training run with this seed. */
    private static double[] fit(Plan plan, double lr, int seed) {
        TensorDataset data = Synthetic.sample(Synthetic.RUNGE, 200, -1, 1, new Generator(1000 + seed));
        TensorDataset test = Synthetic.grid(Synthetic.RUNGE, 100, -1, 1);
        Generator g = new Generator(seed);
        Layer model = new Sequential(new Linear(1, 20, g), new Tanh(), new Linear(20, 10, g), new Sigmoid(),
                new Linear(10, 20, g), new Tanh(), new Linear(20, 10, g), new Sigmoid(), new Linear(10, 1, g));
        Trainer t = new Trainer(model, new Adam(model.parameters(), lr), Losses::mseLoss)
                .output(new PrintStream(OutputStream.nullOutputStream()));
        long t0 = System.nanoTime();
        t.fit(data, new FitOptions().epochs(plan.rungeEpochs()).batchSize(BATCH).validationSplit(0.3).seed(seed).progress(false));
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return new double[] {elapsed, t.evaluate(test, 100).get("loss")};
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
