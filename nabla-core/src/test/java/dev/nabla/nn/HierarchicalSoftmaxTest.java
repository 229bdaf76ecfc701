package dev.nabla.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Gradcheck;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/**
 * The trees (Huffman optimal as a textbook Huffman code, balanced depth, a user's paths checked),
 * and the layer against an independent computation: each word's probability as the product of
 * sigmoids along its code, written with plain loops over the weights.
 */
class HierarchicalSoftmaxTest {
    @Test
    void huffmanIsOptimalAndGivesFrequentWordsShortCodes() {
        SoftmaxTree t = SoftmaxTree.huffman(new long[] {5, 45, 12, 16, 9, 13});
        assertEquals(1, t.code(1).length()); // 45: one bit
        assertEquals(4, t.code(0).length());
        assertEquals(4, t.code(4).length());
        assertEquals(5, t.path(1)[0] + 1, "word2vec numbers the root V - 2");
        Generator g = new Generator(7);
        for (int trial = 0; trial < 5; trial++) {
            long[] counts = new long[50 + trial * 37];
            for (int i = 0; i < counts.length; i++) counts[i] = 1 + (long) (1000 * Math.pow(g.nextDouble(), 3));
            SoftmaxTree h = SoftmaxTree.huffman(counts);
            long cost = 0;
            for (int w = 0; w < counts.length; w++) cost += counts[w] * h.code(w).length();
            assertEquals(textbookHuffmanCost(counts), cost, "weighted code length of " + counts.length + " words");
            assertEquals(counts.length, h.codes().stream().distinct().count());
            SoftmaxTree.fromPaths(h.codes()); // prefix-free and complete
        }
    }

    // the sum of the merged weights of a priority-queue Huffman code = its weighted code length
    private static long textbookHuffmanCost(long[] counts) {
        PriorityQueue<Long> q = new PriorityQueue<>();
        for (long c : counts) q.add(c);
        long cost = 0;
        while (q.size() > 1) {
            long m = q.poll() + q.poll();
            cost += m;
            q.add(m);
        }
        return cost;
    }

    @Test
    void balancedTreeDepth() {
        assertEquals(10, SoftmaxTree.balanced(1000).maxDepth());
        assertEquals(11, SoftmaxTree.balanced(1025).maxDepth());
        assertEquals(List.of("00", "01", "1"), SoftmaxTree.balanced(3).codes());
    }

    @Test
    void badPathsAreClearErrors() {
        var prefix = assertThrows(IllegalArgumentException.class, () -> SoftmaxTree.fromPaths(List.of("0", "01", "1")));
        assertTrue(prefix.getMessage().contains("prefix"), prefix.getMessage());
        var oneChild = assertThrows(IllegalArgumentException.class, () -> SoftmaxTree.fromPaths(List.of("00", "1")));
        assertTrue(oneChild.getMessage().contains("01"), oneChild.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SoftmaxTree.fromPaths(List.of("0", "2")));
        assertThrows(IllegalArgumentException.class, () -> SoftmaxTree.huffman(new long[] {3}));
    }

    private static HierarchicalSoftmax layer(SoftmaxTree tree, int in, boolean sparse) {
        HierarchicalSoftmax hs = new HierarchicalSoftmax(in, tree, sparse, new Generator(11));
        hs.toType(DType.FLOAT64);
        return hs;
    }

    // p(w | h) = Π σ(±(v·h + b)) along w's code, with plain loops
    private static double reference(HierarchicalSoftmax hs, double[] h, int w) {
        double[] v = hs.weight().toDoubleArray(), b = hs.bias().toDoubleArray();
        int in = h.length;
        int[] path = hs.tree().path(w);
        String code = hs.tree().code(w);
        double p = 1;
        for (int k = 0; k < path.length; k++) {
            double s = b[path[k]];
            for (int j = 0; j < in; j++) s += v[path[k] * in + j] * h[j];
            p *= 1 / (1 + Math.exp(code.charAt(k) == '0' ? -s : s));
        }
        return p;
    }

    @Test
    void probabilitiesMatchTheProductAlongThePathAndSumToOne() {
        Generator g = new Generator(3);
        long[] counts = {40, 3, 17, 8, 8, 1, 25, 2, 9};
        for (SoftmaxTree tree : List.of(SoftmaxTree.huffman(counts), SoftmaxTree.balanced(9),
                SoftmaxTree.fromPaths(List.of("000", "001", "01", "100", "101", "1100", "1101", "1110", "1111")))) {
            HierarchicalSoftmax hs = layer(tree, 4, true);
            Tensor h = Tensor.randn(g, DType.FLOAT64, 3, 4);
            Tensor all = hs.forward(h);
            Tensor target = Tensor.of(new long[] {0, 5, 8});
            double[] lp = hs.logProb(h, target).toDoubleArray();
            for (int i = 0; i < 3; i++) {
                double[] hi = h.select(0, i).toDoubleArray();
                double sum = 0;
                for (int w = 0; w < 9; w++) {
                    double p = Math.exp(all.get(i, w));
                    assertEquals(reference(hs, hi, w), p, 1e-14, tree.kind() + " word " + w);
                    sum += p;
                }
                assertEquals(1, sum, 1e-14, tree.kind());
                assertEquals(Math.log(reference(hs, hi, (int) target.toLongArray()[i])), lp[i], 1e-13);
            }
            assertEquals(-Arrays.stream(lp).average().orElseThrow(), hs.loss(h, target).item(), 1e-14);
        }
    }

    @Test
    void largeVocabularySumsToOneInFloat32() {
        HierarchicalSoftmax hs = new HierarchicalSoftmax(16, SoftmaxTree.balanced(2000), true, new Generator(1));
        Tensor p = hs.forward(Tensor.randn(new Generator(2), 2, 16).mul(3)).toType(DType.FLOAT64).exp().sum(1, false);
        assertTrue(p.allClose(Tensor.ones(DType.FLOAT64, 2), 1e-5, 0), p.toString());
    }

    @Test
    void gradcheckFirstAndSecondOrder() {
        SoftmaxTree tree = SoftmaxTree.huffman(new long[] {7, 1, 4, 4, 2, 9});
        Generator g = new Generator(5);
        Tensor h = Tensor.randn(g, DType.FLOAT64, 4, 3).requiresGrad(true);
        Tensor w = Tensor.randn(g, DType.FLOAT64, 5, 3).requiresGrad(true);
        Tensor b = Tensor.randn(g, DType.FLOAT64, 5).requiresGrad(true);
        Tensor target = Tensor.of(new long[] {1, 5, 1, 3});
        Gradcheck.assertGradients(in -> HierarchicalSoftmax.logProb(tree, in.get(1), in.get(2), false, in.get(0), target, "hs")
                .mean().neg(), List.of(h, w, b), true);
    }

    @Test
    void sparseGradientsEqualDenseOnes() {
        SoftmaxTree tree = SoftmaxTree.balanced(12);
        Tensor h = Tensor.randn(new Generator(9), DType.FLOAT64, 5, 4);
        Tensor target = Tensor.of(new long[] {0, 11, 3, 3, 7});
        Tensor[] grads = new Tensor[4];
        for (int s = 0; s < 2; s++) {
            HierarchicalSoftmax hs = layer(tree, 4, s == 1);
            hs.loss(h, target).backward();
            assertEquals(s == 1, hs.weight().sparseGrad() != null);
            grads[2 * s] = hs.weight().grad();
            grads[2 * s + 1] = hs.bias().grad();
        }
        assertTrue(grads[0].allClose(grads[2], 1e-14, 1e-15));
        assertTrue(grads[1].allClose(grads[3], 1e-14, 1e-15));
        assertArrayEquals(new int[] {11, 4}, grads[2].shape());
    }

    @Test
    void badInputsAreClearErrors() {
        HierarchicalSoftmax hs = new HierarchicalSoftmax(4, SoftmaxTree.balanced(6));
        var shape = assertThrows(IllegalArgumentException.class, () -> hs.loss(Tensor.zeros(2, 5), Tensor.of(new long[] {0, 1})));
        assertTrue(shape.getMessage().contains("[batch, 4]"), shape.getMessage());
        var target = assertThrows(IndexOutOfBoundsException.class, () -> hs.loss(Tensor.zeros(2, 4), Tensor.of(new long[] {0, 6})));
        assertTrue(target.getMessage().contains("target 6"), target.getMessage());
    }
}
