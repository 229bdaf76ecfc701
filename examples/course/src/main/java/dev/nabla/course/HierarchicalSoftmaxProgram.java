package dev.nabla.course;

import dev.nabla.nn.HierarchicalSoftmax;
import dev.nabla.nn.SoftmaxOutput;
import dev.nabla.nn.SoftmaxTree;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Exercise 6.2e: the output of a next-word model over a vocabulary organized as a tree is a
 * hierarchical softmax, and its loss the cross-entropy of the binary decisions along the word's
 * path. On eight words: the Huffman tree of their counts (word2vec's), one word's path and code,
 * its probability as the product of the sigmoids along the path (checked against the layer), and
 * the sum over all words = 1. Then the cost: for V = 100,000 words, one example's output layer
 * forward + backward over the 17 nodes of a balanced tree's path against the 100,000 rows of a
 * full softmax, timed.
 */
public final class HierarchicalSoftmaxProgram extends CourseProgram {
    static final List<String> WORDS = List.of("the", "of", "and", "to", "a", "in", "is", "cat");
    static final long[] COUNTS = {620, 310, 270, 240, 210, 190, 100, 5};
    static final int V = 100_000, HIDDEN = 256, REPS = 3;

    @Override
    public String name() {
        return "hierarchical-softmax";
    }

    @Override
    public String title() {
        return "hierarchical softmax: p(word) as a product along its tree path, sum 1, O(log V) instead of O(V)";
    }

    @Override
    protected void compute() throws IOException {
        SoftmaxTree tree = SoftmaxTree.huffman(COUNTS);
        line("Huffman tree of 8 words (word2vec's construction: frequent words get short codes):");
        for (int w = 0; w < WORDS.size(); w++) {
            line("  %-4s count %4d  code %-6s path (internal nodes) %s", WORDS.get(w), COUNTS[w], tree.code(w),
                    Arrays.toString(tree.path(w)));
        }
        int in = 4;
        HierarchicalSoftmax hs = new HierarchicalSoftmax(in, tree, false, new Generator(1));
        hs.toType(DType.FLOAT64);
        Tensor h = Tensor.randn(new Generator(2), DType.FLOAT64, 1, in);
        int cat = WORDS.indexOf("cat");
        int[] path = tree.path(cat);
        String code = tree.code(cat);
        line("");
        line("p(cat | h) with h = %s: one sigmoid per node n on the path, σ(vₙ·h + bₙ) for code 0, σ(−(vₙ·h + bₙ)) for 1",
                MiniBatchMean.vec(h.toDoubleArray()));
        double[] s = h.matmul(hs.weight().t()).add(hs.bias()).toDoubleArray();
        double product = 1;
        for (int k = 0; k < path.length; k++) {
            double z = code.charAt(k) == '0' ? s[path[k]] : -s[path[k]];
            double factor = 1 / (1 + Math.exp(-z));
            product *= factor;
            line("  node %d, code %c: vₙ·h + bₙ = %+.4f, factor %.4f", path[k], code.charAt(k), s[path[k]], factor);
        }
        double[] all = hs.forward(h).exp().toDoubleArray();
        line("  product = %.6f; the layer's p(cat | h) = %.6f", figure("catProduct", product), figure("catLayer", all[cat]));
        double loss = hs.loss(h, Tensor.of(new long[] {cat})).item();
        line("  loss = −ln p(cat | h) = Σ −ln factor = %.6f (the cross-entropy along the path)", figure("catLoss", loss));
        line("  Σ over the 8 words of p(w | h) = %.15f", figure("sum", Arrays.stream(all).sum()));
        cost();
    }

    // one example's output layer, forward + backward, for V = 100,000: 17 node rows against 100,000 rows
    private void cost() {
        SoftmaxTree balanced = SoftmaxTree.balanced(V);
        Generator g = new Generator(3);
        HierarchicalSoftmax hs = new HierarchicalSoftmax(HIDDEN, balanced, true, g);
        SoftmaxOutput full = new SoftmaxOutput(HIDDEN, V, g);
        Tensor h = Tensor.randn(g, 1, HIDDEN);
        Tensor target = Tensor.of(new long[] {12_345});
        double hsMs = medianMs(() -> {
            hs.weight().setGrad(null);
            hs.loss(h, target).backward();
        });
        double fullMs = medianMs(() -> {
            full.weight().setGrad(null);
            full.loss(h, target).backward();
        });
        line("");
        line("The cost, V = %,d words, hidden %d, one example, forward + backward (median of %d):", V, HIDDEN, REPS);
        line("  hierarchical softmax (balanced tree): %.0f nodes on the path, %.3f ms", figure("pathNodes", balanced.path(12_345).length),
                figure("hsMs", hsMs));
        line("  full softmax: %,d rows, %.3f ms, %.0f× the time (the machine's load moves these figures)", V,
                figure("fullMs", fullMs), figure("speedup", fullMs / hsMs));
        line("  per example the work is O(path length × hidden) = %,d multiply-adds instead of O(V × hidden) = %,d",
                17 * HIDDEN, (long) V * HIDDEN);
    }

    private static double medianMs(Runnable step) {
        double[] t = new double[REPS];
        for (int r = -1; r < REPS; r++) {
            long start = System.nanoTime();
            step.run();
            if (r >= 0) t[r] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(t);
        return t[REPS / 2];
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new HierarchicalSoftmaxProgram(), args);
    }
}
