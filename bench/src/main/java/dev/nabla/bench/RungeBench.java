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
import java.util.Arrays;

/**
 * BENCH.md's "runge" protocol in nabla: 200 random points of 1/(1+25x²) in [−1, 1] (30% held out
 * for validation), a 100-point test grid, 1-20 tanh-10 sigmoid-20 tanh-10 sigmoid-1, MSE, Adam,
 * batch 39, 300 epochs through {@link Trainer#fit} (which also evaluates the validation part each
 * epoch). Median over seeds of the wall time of the 300 epochs and of the test MSE, after one
 * warm-up run.
 */
final class RungeBench {
    static final int EPOCHS = 300, BATCH = 39, SEEDS = 5;

    private RungeBench() {}

    /** {median seconds, median test MSE} for one learning rate. */
    static double[] run(double lr) {
        double[] seconds = new double[SEEDS], mse = new double[SEEDS];
        for (int seed = -1; seed < SEEDS; seed++) { // seed −1: the warm-up
            int s = Math.max(seed, 0);
            TensorDataset data = Synthetic.sample(Synthetic.RUNGE, 200, -1, 1, new Generator(1000 + s));
            TensorDataset test = Synthetic.grid(Synthetic.RUNGE, 100, -1, 1);
            Generator g = new Generator(s);
            Layer model = new Sequential(new Linear(1, 20, g), new Tanh(), new Linear(20, 10, g), new Sigmoid(),
                    new Linear(10, 20, g), new Tanh(), new Linear(20, 10, g), new Sigmoid(), new Linear(10, 1, g));
            Trainer t = new Trainer(model, new Adam(model.parameters(), lr), Losses::mseLoss)
                    .output(new PrintStream(OutputStream.nullOutputStream()));
            long t0 = System.nanoTime();
            t.fit(data, new FitOptions().epochs(EPOCHS).batchSize(BATCH).validationSplit(0.3).seed(s).progress(false));
            double elapsed = (System.nanoTime() - t0) / 1e9;
            if (seed >= 0) {
                seconds[seed] = elapsed;
                mse[seed] = t.evaluate(test, 100).get("loss");
            }
        }
        return new double[] {median(seconds), median(mse)};
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
