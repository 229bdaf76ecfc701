package dev.nabla.train;

import dev.nabla.data.Batch;
import dev.nabla.data.DataLoader;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Layer;
import dev.nabla.optim.Optimizer;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The learning-rate range test (Leslie Smith 2017; fastai's lr_find): train for a number of
 * batches while the learning rate grows exponentially from a tiny to a huge value, record the
 * loss at each step, and read off a good rate from the curve of loss against rate. Defaults: 100
 * steps from 1e-7 to 10, stop early once the smoothed loss exceeds 4× the best seen.
 *
 * <p>The early stop watches an exponential moving average of the loss (β = 0.9 by default, with
 * bias correction, as fastai). The suggestion is read from the loss smoothed by a centered
 * running median (no lag, robust to noisy batches): it is the rate of the <b>steepest
 * descent</b> of the smoothed loss against log(rate), searched before its minimum; the other
 * common rule, <b>the rate of the minimum divided by 10</b>, is reported too. The model's weights
 * and the optimizer's state (and rate) are restored afterwards, so a training can start from
 * where it stood.
 *
 * <pre>{@code
 * LrFinder.Result r = new LrFinder(model, optimizer, Losses::mseLoss).batchSize(32).run(data);
 * optimizer.setLr(r.suggestion());
 * }</pre>
 */
public final class LrFinder {
    /**
     * The sweep: the rate and loss of each step taken, the smoothed loss (centered running
     * median, what the suggestions are read from) and the moving average (what the early stop
     * watches), the suggestion (steepest descent) with its step index, the rate of the minimum
     * smoothed loss and that divided by 10, and whether the sweep stopped early because the loss
     * exploded.
     */
    public record Result(double[] lrs, double[] losses, double[] smoothed, double[] movingAverage, double suggestion,
                         int suggestionIndex, double minLr, double minDiv10, boolean stoppedEarly) {
        /** The number of steps taken. */
        public int steps() {
            return lrs.length;
        }

        /**
         * True when the smoothed loss clearly falls somewhere in the sweep (its minimum at least
         * {@link #CLEAR_FALL} of its first value below it); otherwise the suggestions are noise
         * and should not be used.
         */
        public boolean conclusive() {
            double best = Double.POSITIVE_INFINITY;
            for (double s : smoothed) if (Double.isFinite(s)) best = Math.min(best, s);
            return smoothed.length > 0 && Double.isFinite(smoothed[0]) && smoothed[0] - best >= CLEAR_FALL * Math.abs(smoothed[0]);
        }
    }

    /** The fraction the smoothed loss must fall below its start for a sweep to be {@linkplain Result#conclusive conclusive}. */
    public static final double CLEAR_FALL = 0.1;

    private final Layer model;
    private final Optimizer optimizer;
    private final Loss loss;
    private double startLr = 1e-7, endLr = 10;
    private int steps = 100;
    private double divergeFactor = 4;
    private double beta = 0.9;
    private int batchSize = 32;
    private long seed = 0;

    /** A range test of model trained by optimizer on loss. */
    public LrFinder(Layer model, Optimizer optimizer, Loss loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
    }

    /** The first and last rate of the sweep (default 1e-7 to 10). */
    public LrFinder range(double start, double end) {
        if (!(start > 0 && end > start && Double.isFinite(end))) {
            throw new IllegalArgumentException("LrFinder: the range needs 0 < start < end, got " + start + " to " + end);
        }
        startLr = start;
        endLr = end;
        return this;
    }

    /** The number of steps (batches) of the sweep (default 100). */
    public LrFinder steps(int n) {
        if (n < 3) throw new IllegalArgumentException("LrFinder: steps " + n + " must be >= 3");
        steps = n;
        return this;
    }

    /** Stop once the smoothed loss exceeds factor × the best smoothed loss (default 4). */
    public LrFinder divergeFactor(double factor) {
        if (!(factor > 1)) throw new IllegalArgumentException("LrFinder: diverge factor " + factor + " must be > 1");
        divergeFactor = factor;
        return this;
    }

    /** The smoothing factor β of the moving average of the loss, in [0, 1) (default 0.9; 0 = no smoothing). */
    public LrFinder smoothing(double beta) {
        if (!(beta >= 0 && beta < 1)) throw new IllegalArgumentException("LrFinder: smoothing " + beta + " must be in [0, 1)");
        this.beta = beta;
        return this;
    }

    /** Examples per step (default 32). */
    public LrFinder batchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("LrFinder: batch size " + n + " must be >= 1");
        batchSize = n;
        return this;
    }

    /** The seed of the batch shuffling (default 0). */
    public LrFinder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The rate at step i of n: start·(end/start)^(i/(n−1)). */
    public double lrAt(int i) {
        return startLr * Math.pow(endLr / startLr, (double) i / (steps - 1));
    }

    /** Runs the sweep on data (cycling through it as often as needed), then restores the model and optimizer. */
    public Result run(Dataset data) {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (var e : model.stateDict().entrySet()) weights.put(e.getKey(), e.getValue().copy());
        Map<String, Tensor> optState = optimizer.stateDict();
        boolean wasTraining = model.isTraining();
        double[] lrs = new double[steps], losses = new double[steps], smooth = new double[steps];
        int taken = 0;
        boolean stopped = false;
        try {
            model.train();
            DataLoader loader = new DataLoader(data, batchSize, true, false, seed);
            Iterator<Batch> it = loader.iterator();
            double avg = 0, best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < steps; i++) {
                if (!it.hasNext()) it = loader.iterator();
                Batch b = it.next();
                double lr = lrAt(i);
                optimizer.setLr(lr);
                optimizer.zeroGrad();
                Tensor l = loss.apply(model.forward(b.inputs()), b.targets());
                double value = l.item();
                lrs[i] = lr;
                losses[i] = value;
                taken = i + 1;
                if (!Double.isFinite(value)) {
                    smooth[i] = Double.NaN;
                    stopped = true;
                    break;
                }
                avg = beta * avg + (1 - beta) * value;
                smooth[i] = avg / (1 - Math.pow(beta, i + 1));
                if (smooth[i] < best) best = smooth[i];
                if (i > 0 && smooth[i] > divergeFactor * best) {
                    stopped = true;
                    break;
                }
                l.backward();
                optimizer.step();
            }
        } finally {
            model.loadStateDict(weights);
            optimizer.loadStateDict(optState);
            optimizer.zeroGrad();
            model.train(wasTraining);
        }
        return result(Arrays.copyOf(lrs, taken), Arrays.copyOf(losses, taken), Arrays.copyOf(smooth, taken), stopped);
    }

    /**
     * The suggestions for a recorded sweep. The loss of single batches is noisy, so the curve is
     * first smoothed by a centered running median over ±h steps (h = 5% of the steps, at least 1):
     * robust to outliers and, unlike the moving average, without lag. The minimum of that curve
     * gives minLr; the steepest descent is the most negative slope of it against ln(rate)
     * (central differences), among the points before the minimum.
     */
    static Result result(double[] lrs, double[] losses, double[] ema, boolean stopped) {
        int n = lrs.length;
        int h = Math.max(1, (int) Math.round(n * 0.05));
        double[] med = new double[n];
        for (int i = 0; i < n; i++) {
            int lo = Math.max(0, i - h), hi = Math.min(n - 1, i + h);
            double[] w = new double[hi - lo + 1];
            int k = 0;
            for (int j = lo; j <= hi; j++) w[k++] = Double.isNaN(losses[j]) ? Double.POSITIVE_INFINITY : losses[j];
            Arrays.sort(w);
            med[i] = w.length % 2 == 1 ? w[w.length / 2] : (w[w.length / 2 - 1] + w[w.length / 2]) / 2;
        }
        int min = -1;
        for (int i = 0; i < n; i++) if (Double.isFinite(med[i]) && (min < 0 || med[i] < med[min])) min = i;
        if (min < 0) {
            throw new IllegalStateException("LrFinder: the loss was not finite even at the first rate " + (n > 0 ? lrs[0] : Double.NaN)
                    + "; check the data, the loss and the initial weights");
        }
        int steepest = min;
        double slope = Double.POSITIVE_INFINITY;
        for (int i = 0; i <= min; i++) {
            int lo = Math.max(0, i - 1), hi = Math.min(min, i + 1);
            if (hi == lo) continue;
            double d = (med[hi] - med[lo]) / (Math.log(lrs[hi]) - Math.log(lrs[lo]));
            if (d < slope) {
                slope = d;
                steepest = i;
            }
        }
        return new Result(lrs, losses, med, ema, lrs[steepest], steepest, lrs[min], lrs[min] / 10, stopped);
    }
}
