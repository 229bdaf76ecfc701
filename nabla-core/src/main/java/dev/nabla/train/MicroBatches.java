package dev.nabla.train;

import dev.nabla.data.Batch;
import dev.nabla.data.Dataset;
import dev.nabla.nn.Layer;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import dev.nabla.tensor.internal.Internals;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The one definition of a training step's gradient, shared by {@link Trainer} and by
 * data-parallel engines (nabla-spark): the global batch is cut into a fixed number of
 * micro-batches, each gives its part of the gradient, and the parts are added over a fixed binary
 * tree. The result has the same bits wherever each micro-batch was computed.
 *
 * <ul>
 *   <li><b>Split</b>: a global batch of n examples becomes m micro-batches of consecutive examples,
 *       the first {@code n % m} one example longer ({@link #split}); m is a training setting, never
 *       the number of machines.
 *   <li><b>Leaf</b>: micro-batch k of n<sub>k</sub> examples runs forward and backward on
 *       (n<sub>k</sub>/n) · loss<sub>k</sub>, so that the leaves add up to the gradient of the
 *       global batch's mean loss. It starts from the step's buffers (batch norm's running
 *       statistics) and contributes (n<sub>k</sub>/n) · its updated floating-point buffers; its
 *       dropout generators are reseeded from (seed, step, k), so masks depend on the example's
 *       place in the global batch, not on which machine ran it.
 *   <li><b>Tree</b>: leaf k sits at position k of an aligned binary tree; a node covering
 *       [j·2<sup>l</sup>, (j+1)·2<sup>l</sup>) is left + right, elementwise in the tensor's type.
 *       {@link TreeSum} adds leaves (or whole aligned blocks, from other machines) as they come and
 *       gives the root; any contiguous run of leaves reduces to a few aligned blocks
 *       ({@link TreeSum#blocks}) that a remote worker sends instead of its leaves.
 * </ul>
 *
 * With one micro-batch the step equals the plain step (the loss is scaled by exactly 1).
 */
public final class MicroBatches {
    private MicroBatches() {}

    /** The micro-batches of a global batch: m runs of consecutive indices, the first n % m one longer (some empty if n &lt; m). */
    public static int[][] split(int[] batch, int m) {
        if (m < 1) throw new IllegalArgumentException("micro-batches: the count " + m + " must be >= 1");
        int n = batch.length, base = n / m, extra = n % m;
        int[][] out = new int[m][];
        for (int k = 0, from = 0; k < m; k++) {
            int len = base + (k < extra ? 1 : 0);
            out[k] = java.util.Arrays.copyOfRange(batch, from, from + len);
            from += len;
        }
        return out;
    }

    /** The seed of micro-batch k's dropout generator j at global step {@code step} (SplitMix-style mixing). */
    static long dropoutSeed(long seed, long step, int k, int j) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h = (h ^ step) * 0xBF58476D1CE4E5B9L;
        h = (h ^ k) * 0x94D049BB133111EBL;
        h = (h ^ j) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 31);
    }

    /**
     * What one micro-batch (or an aligned block of them) adds to the step: the gradient of each
     * trainable parameter (null where it got none), the floating-point buffers weighted by the
     * micro-batch's share, the integer buffers as they came out, the weighted loss and each
     * metric's (sum, count). Plain arrays, so that a remote worker can send it.
     */
    public static final class Part implements Serializable {
        private static final long serialVersionUID = 1L;
        final Object[] grads; // float[] or double[] per trainable parameter, or null
        final Object[] buffers; // float[], double[] or long[] per buffer
        double loss;
        final double[] metricSums, metricCounts;

        Part(Object[] grads, Object[] buffers, double loss, double[] metricSums, double[] metricCounts) {
            this.grads = grads;
            this.buffers = buffers;
            this.loss = loss;
            this.metricSums = metricSums;
            this.metricCounts = metricCounts;
        }

        /** The weighted loss summed over the micro-batches this part covers. */
        public double loss() {
            return loss;
        }

        /** Metric m's sum over the examples this part covers. */
        public double metricSum(int m) {
            return metricSums[m];
        }

        /** Metric m's count (what its sum is divided by) over the examples this part covers. */
        public double metricCount(int m) {
            return metricCounts[m];
        }

        // left + right, elementwise in each array's own type; integer buffers keep the left value
        // (every micro-batch of a step advances them alike)
        static Part add(Part left, Part right) {
            if (left == null) return right;
            if (right == null) return left;
            for (int i = 0; i < left.grads.length; i++) left.grads[i] = addArrays(left.grads[i], right.grads[i]);
            for (int i = 0; i < left.buffers.length; i++) {
                if (!(left.buffers[i] instanceof long[])) left.buffers[i] = addArrays(left.buffers[i], right.buffers[i]);
            }
            left.loss += right.loss;
            for (int i = 0; i < left.metricSums.length; i++) {
                left.metricSums[i] += right.metricSums[i];
                left.metricCounts[i] += right.metricCounts[i];
            }
            return left;
        }

        private static Object addArrays(Object a, Object b) {
            if (a == null) return b;
            if (b == null) return a;
            if (a instanceof float[] x) {
                float[] y = (float[]) b;
                for (int i = 0; i < x.length; i++) x[i] += y[i];
            } else {
                double[] x = (double[]) a, y = (double[]) b;
                for (int i = 0; i < x.length; i++) x[i] += y[i];
            }
            return a;
        }
    }

    /** Runs one micro-batch (k of the step {@code step}) on model, which holds the step's weights, and gives its part. */
    public static Part leaf(Layer model, Loss loss, List<Metric> metrics, Dataset data, int[] indices, int globalBatch,
                            long seed, long step, int k, Map<String, Tensor> stepBuffers) {
        return leaf(model, loss, metrics, data, indices, globalBatch, seed, step, k, stepBuffers, false);
    }

    // inPlace: leave the gradients and buffers in the model (the step has one micro-batch, here)
    private static Part leaf(Layer model, Loss loss, List<Metric> metrics, Dataset data, int[] indices, int globalBatch,
                             long seed, long step, int k, Map<String, Tensor> stepBuffers, boolean inPlace) {
        if (indices.length == 0) return null;
        if (stepBuffers != null) restoreBuffers(model, stepBuffers);
        List<Generator> gens = new java.util.ArrayList<>(model.generators());
        gens.addAll(data.generators());
        for (int j = 0; j < gens.size(); j++) gens.get(j).setState(new Generator(dropoutSeed(seed, step, k, j)).state());
        List<Tensor> params = model.parameters();
        for (Tensor p : params) p.setGrad(null);
        Batch b = data.get(indices);
        Tensor predictions = model.forward(b.inputs());
        Tensor l = loss.apply(predictions, b.targets());
        if (l.numel() != 1) {
            throw new IllegalArgumentException("fit: the loss must be a scalar (use reduction mean or sum), got shape "
                    + java.util.Arrays.toString(l.shape()));
        }
        double weight = indices.length == globalBatch ? 1.0 : (double) indices.length / globalBatch;
        Tensor weighted = weight == 1.0 ? l : l.mul(weight);
        weighted.backward();
        Object[] grads = null, bufs = null;
        if (!inPlace) {
            grads = new Object[params.size()];
            for (int i = 0; i < grads.length; i++) {
                Tensor g = Internals.get().gradInPassing(params.get(i));
                grads[i] = g == null ? null : toArray(g);
            }
            Map<String, Tensor> buffers = model.namedBuffers();
            bufs = new Object[buffers.size()];
            int i = 0;
            for (Tensor t : buffers.values()) bufs[i++] = weightedArray(t, weight);
        }
        double[] sums = new double[metrics.size()], counts = new double[metrics.size()];
        try (var s = GradMode.noGrad()) {
            Tensor p = predictions.detach();
            for (int m = 0; m < metrics.size(); m++) {
                double[] t = metrics.get(m).batchTotal(p, b.targets());
                sums[m] = t[0];
                counts[m] = t[1];
            }
        }
        return new Part(grads, bufs, weight * l.item(), sums, counts);
    }

    /**
     * Puts a step's summed part into model: gradients into the trainable parameters, buffers into
     * the buffers (a part computed in place, by a single local micro-batch, is there already).
     */
    public static void install(Layer model, Part root) {
        if (root.grads == null) return;
        List<Tensor> params = model.parameters();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            p.setGrad(root.grads[i] == null ? null : fromArray(root.grads[i], p.shape()));
        }
        int i = 0;
        try (var s = GradMode.noGrad()) {
            for (Tensor t : model.namedBuffers().values()) t.copyFrom(fromArray(root.buffers[i++], t.shape()));
        }
    }

    /** Copies of model's buffers, the state every micro-batch of a step starts from. */
    public static Map<String, Tensor> snapshotBuffers(Layer model) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (var e : model.namedBuffers().entrySet()) out.put(e.getKey(), e.getValue().copy());
        return out;
    }

    private static void restoreBuffers(Layer model, Map<String, Tensor> snapshot) {
        try (var s = GradMode.noGrad()) {
            for (var e : model.namedBuffers().entrySet()) e.getValue().copyFrom(snapshot.get(e.getKey()));
        }
    }

    private static Object toArray(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> t.toFloatArray();
            case FLOAT64 -> t.toDoubleArray();
            default -> t.toLongArray();
        };
    }

    // weight · buffer in the buffer's own type; integer buffers (step counters) as they are
    private static Object weightedArray(Tensor t, double weight) {
        Object a = toArray(t);
        if (weight == 1.0) return a;
        if (a instanceof float[] x) {
            float w = (float) weight;
            for (int i = 0; i < x.length; i++) x[i] *= w;
        } else if (a instanceof double[] x) {
            for (int i = 0; i < x.length; i++) x[i] *= weight;
        }
        return a;
    }

    /** A tensor of the given shape holding a float[], double[] or long[]. */
    public static Tensor fromArray(Object a, int[] shape) {
        Tensor flat = a instanceof float[] f ? Tensor.of(f, f.length)
                : a instanceof double[] d ? Tensor.of(d, d.length) : Tensor.of((long[]) a, ((long[]) a).length);
        return flat.reshape(shape);
    }

    /** A part at its place in the tree: leaves [start, start + size), size a power of two, start a multiple of it. */
    public record Block(int start, int size, Part part) implements Serializable {}

    /**
     * Adds parts over the aligned binary tree on leaves 0..m−1. Push leaves (or aligned blocks)
     * in order of position: two siblings are added as soon as both are there, left + right;
     * {@link #root} then adds what remains from the right (the tree's incomplete right spine).
     */
    public static final class TreeSum {
        private final Deque<Block> stack = new ArrayDeque<>();
        private int next;

        /** A sum over the whole tree, from leaf 0. */
        public TreeSum() {}

        /** A worker's sum over the leaves from {@code start} on: its {@link #blocks()} go to the driver's sum. */
        public TreeSum(int start) {
            if (start < 0) throw new IllegalArgumentException("TreeSum: start " + start + " must be >= 0");
            next = start;
        }

        /** Adds the part of the leaf at the next position (null for an empty micro-batch). */
        public void push(Part leaf) {
            push(new Block(next, 1, leaf));
        }

        /** Adds an aligned block that starts where the previous one ended. */
        public void push(Block block) {
            if (block.start() != next || Integer.bitCount(block.size()) != 1 || block.start() % block.size() != 0) {
                throw new IllegalArgumentException("TreeSum: block [" + block.start() + ", " + (block.start() + block.size())
                        + ") is not an aligned block starting at " + next);
            }
            next = block.start() + block.size();
            Block b = block;
            while (!stack.isEmpty()) {
                Block top = stack.peek();
                boolean leftSibling = top.size() == b.size() && top.start() + top.size() == b.start()
                        && top.start() % (2 * b.size()) == 0;
                if (!leftSibling) break;
                stack.pop();
                b = new Block(top.start(), 2 * b.size(), Part.add(top.part(), b.part()));
            }
            stack.push(b);
        }

        /** The complete aligned blocks so far, left to right: what a worker sends for its run of leaves. */
        public List<Block> blocks() {
            List<Block> out = new ArrayList<>(stack);
            java.util.Collections.reverse(out);
            return out;
        }

        /** The sum of everything pushed (null if every leaf was empty). */
        public Part root() {
            List<Block> bs = blocks();
            Part acc = null;
            for (int i = bs.size() - 1; i >= 0; i--) acc = Part.add(bs.get(i).part(), acc);
            return acc;
        }
    }

    /**
     * Where a step's micro-batches run: here, one after the other ({@link #LOCAL}), or on a
     * cluster (nabla-spark). Either way the result is the root of the same {@link TreeSum}.
     */
    public interface Engine {
        /**
         * The summed part of one step. model holds the step's weights and buffers; {@code microBatches}
         * are the indices into the training data of each micro-batch; {@code step} counts optimizer
         * steps from 0 over the whole training.
         */
        Part run(Layer model, Loss loss, List<Metric> metrics, Dataset data, int[][] microBatches, int globalBatch,
                 long seed, long step);
    }

    /** Every micro-batch in this JVM, in order. */
    public static final Engine LOCAL = (model, loss, metrics, data, microBatches, globalBatch, seed, step) -> {
        if (microBatches.length == 1) {
            return leaf(model, loss, metrics, data, microBatches[0], globalBatch, seed, step, 0, null, true);
        }
        Map<String, Tensor> buffers = snapshotBuffers(model);
        TreeSum sum = new TreeSum();
        for (int k = 0; k < microBatches.length; k++) {
            sum.push(leaf(model, loss, metrics, data, microBatches[k], globalBatch, seed, step, k, buffers));
        }
        return sum.root();
    };
}
