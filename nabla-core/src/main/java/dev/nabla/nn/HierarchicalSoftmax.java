package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hierarchical softmax (Morin and Bengio 2005; word2vec): the classes are the leaves of a binary
 * {@link SoftmaxTree}, and the probability of class w given h is the product over the internal
 * nodes n on w's path of σ(±(vₙ·h + bₙ)), + for the branch coded 0 and − for 1. The two branches
 * of every node sum to one, so the leaves' probabilities do too.
 *
 * <p>Parameters: {@code weight} [V−1, inFeatures] (one vector vₙ per internal node) and
 * {@code bias} [V−1], initialized as a {@code Linear(inFeatures, V−1)}. {@link #loss} costs
 * O(path length × inFeatures) per example instead of the full softmax's O(V × inFeatures): it
 * reads only the nodes on the targets' paths, and with {@code sparse} (the default) their
 * gradients are row-sparse ({@link dev.nabla.tensor.RowSparse}), so that the optimizer's step
 * too touches only those rows. With {@code sparse} false the gradients are dense tensors (for
 * second-order derivatives with respect to the weights). {@link #forward} gives the exact
 * log-probability of every class, for prediction and perplexity.
 */
public final class HierarchicalSoftmax extends Layer implements ClassOutput {
    private final int inFeatures;
    private final SoftmaxTree tree;
    private final boolean sparse;

    /** A layer over the tree's words with sparse gradients, drawn from the global generator. */
    public HierarchicalSoftmax(int inFeatures, SoftmaxTree tree) {
        this(inFeatures, tree, true, Generator.global());
    }

    /** A layer with every setting; see the class comment. */
    public HierarchicalSoftmax(int inFeatures, SoftmaxTree tree, boolean sparse, Generator gen) {
        if (inFeatures <= 0) throw new IllegalArgumentException("HierarchicalSoftmax: in_features " + inFeatures + " must be positive");
        if (tree == null) throw new IllegalArgumentException("HierarchicalSoftmax: the tree is null; build one with SoftmaxTree.huffman, balanced or fromPaths");
        this.inFeatures = inFeatures;
        this.tree = tree;
        this.sparse = sparse;
        int nodes = tree.size() - 1;
        registerParameter("weight", Tensor.zeros(nodes, inFeatures));
        registerParameter("bias", Tensor.zeros(nodes));
        double bound = 1 / Math.sqrt(inFeatures);
        Init.uniform(weight(), -bound, bound, gen);
        Init.uniform(bias(), -bound, bound, gen);
    }

    /** The node vectors, [V−1, inFeatures]. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** The node biases, [V−1]. */
    public Tensor bias() {
        return parameter("bias");
    }

    /** The tree. */
    public SoftmaxTree tree() {
        return tree;
    }

    @Override
    public int numClasses() {
        return tree.size();
    }

    @Override
    public int inFeatures() {
        return inFeatures;
    }

    /** The constructor's arguments by name (the tree by its kind, and by its codes when a user gave them). */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("inFeatures", inFeatures);
        c.put("classes", tree.size());
        c.put("tree", tree.kind());
        if (tree.kind().equals("paths")) c.put("paths", tree.codes());
        c.put("sparse", sparse);
        return c;
    }

    /**
     * log p(target | h) per example, [batch], differentiable: the sum over the nodes of each
     * target's path of log σ(±(vₙ·h + bₙ)).
     */
    public Tensor logProb(Tensor h, Tensor target) {
        checkInput(h);
        return logProb(tree, weight(), bias(), sparse, h, target, this);
    }

    // logProb with the parameters given (so that a gradcheck can vary them); owner names the layer in errors
    static Tensor logProb(SoftmaxTree tree, Tensor weight, Tensor bias, boolean sparse, Tensor h, Tensor target, Object owner) {
        long[] t = target.toLongArray();
        if (target.dtype() != DType.INT64 || target.dim() != 1 || t.length != h.size(0)) {
            throw new IllegalArgumentException(owner + ": targets must be int64 of shape [" + h.size(0) + "], got "
                    + target.dtype() + " " + Shape.str(target.shape()));
        }
        int total = 0;
        for (long w : t) {
            if (w < 0 || w >= tree.size()) {
                throw new IndexOutOfBoundsException(owner + ": target " + w + " is not a class in [0, " + tree.size() + ")");
            }
            total += tree.bits((int) w).length;
        }
        // one entry per (example, node on its target's path): only those rows are read
        long[] node = new long[total], example = new long[total];
        double[] sign = new double[total];
        int k = 0;
        for (int i = 0; i < t.length; i++) {
            int[] path = tree.path((int) t[i]);
            byte[] bits = tree.bits((int) t[i]);
            for (int j = 0; j < path.length; j++, k++) {
                node[k] = path[j];
                example[k] = i;
                sign[k] = bits[j] == 0 ? 1 : -1;
            }
        }
        Tensor nodes = Tensor.of(node), examples = Tensor.of(example);
        Tensor v = Embedding.lookup(weight, nodes, sparse, -1);
        Tensor b = Embedding.lookup(bias, nodes, sparse, -1);
        Tensor z = v.mul(h.indexSelect(0, examples)).sum(1, false).add(b).mul(Tensor.of(sign).toType(h.dtype()));
        return Tensor.zeros(h.dtype(), t.length).indexAdd(0, examples, logSigmoid(z));
    }

    /** log σ(z) = min(z, 0) − log(1 + e^−|z|), stable for large |z|. */
    static Tensor logSigmoid(Tensor z) {
        return z.clampMax(0).sub(z.abs().neg().exp().add(1).log());
    }

    @Override
    public Tensor loss(Tensor h, Tensor target) {
        return logProb(h, target).mean().neg();
    }

    /**
     * The exact log-probability of every class, [batch, V], computed top-down over the tree (each
     * node's log-probability from its parent's): O(V × inFeatures) per example, like a full
     * softmax. Not recorded for autograd: train with {@link #loss}.
     */
    @Override
    public Tensor forward(Tensor h) {
        checkInput(h);
        int batch = h.size(0), v = tree.size();
        double[] s;
        try (var scope = GradMode.noGrad()) {
            s = h.matmul(weight().t()).add(bias()).toDoubleArray();
        }
        int nodes = v - 1;
        double[] out = new double[batch * v];
        double[] nodeLog = new double[nodes];
        for (int i = 0; i < batch; i++) {
            int base = i * nodes;
            for (int n : tree.topDown()) {
                int p = tree.parent(n);
                nodeLog[n] = p < 0 ? 0 : nodeLog[p] + logSigmoid(s[base + p], tree.branch(n));
            }
            for (int w = 0; w < v; w++) {
                int[] path = tree.path(w);
                int last = path[path.length - 1];
                out[i * v + w] = nodeLog[last] + logSigmoid(s[base + last], tree.bits(w)[path.length - 1]);
            }
        }
        return Tensor.of(out, batch, v).toType(h.dtype());
    }

    private static double logSigmoid(double s, int bit) {
        double z = bit == 0 ? s : -s;
        return Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));
    }

    @Override
    public Tensor logProbabilities(Tensor h) {
        return forward(h);
    }

    private void checkInput(Tensor h) {
        if (h.dim() != 2 || h.size(1) != inFeatures) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(h.shape()) + "; expected [batch, "
                    + inFeatures + "] (the hidden vectors)");
        }
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        if (inputShape.length == 0 || inputShape[inputShape.length - 1] != inFeatures) {
            throw new IllegalArgumentException(this + ": input of shape " + Shape.str(inputShape) + "; expected "
                    + inFeatures + " features (the hidden vector)");
        }
        int[] out = inputShape.clone();
        out[out.length - 1] = tree.size();
        return out;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", classes=" + tree.size() + ", tree=" + tree.kind()
                + ", max_depth=" + tree.maxDepth() + (sparse ? ", sparse=True" : "");
    }
}
