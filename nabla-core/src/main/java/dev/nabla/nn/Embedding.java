package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.RowSparse;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A lookup table of word vectors, as PyTorch's {@code nn.Embedding}: an int64 tensor of indices
 * of any shape S gives the rows of the weight [numEmbeddings, embeddingDim] at those indices,
 * shape S + [embeddingDim].
 *
 * <ul>
 *   <li>{@code paddingIdx} (or −1 for none): that row starts at zero and never gets a gradient, so
 *       training leaves it unchanged (a padding token contributes nothing);
 *   <li>{@code maxNorm} (or 0 for none): before each lookup, every looked-up row whose norm of
 *       order {@code normType} exceeds it is rescaled in place to norm maxNorm (PyTorch's
 *       {@code embedding_renorm_}, scale maxNorm / (norm + 1e-7));
 *   <li>{@code sparse}: the weight's gradient is row-sparse ({@link RowSparse}: the looked-up rows
 *       only), which {@link dev.nabla.optim.SGD} and {@link dev.nabla.optim.Adam} (as PyTorch's
 *       SparseAdam) apply to those rows alone and {@link dev.nabla.optim.Clip} understands, so a
 *       step costs the batch's rows, not the table. Without it the gradient is a dense tensor,
 *       differentiable again (second order).
 * </ul>
 *
 * Initialization, PyTorch's: N(0, 1), then the padding row set to zero.
 */
public class Embedding extends Layer {
    private final int numEmbeddings, embeddingDim;
    private final long paddingIdx;
    private final double maxNorm, normType;
    private final boolean sparse;

    /** A table with no padding index, no max norm, dense gradients, drawn from the global generator. */
    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, -1, 0, 2, false, Generator.global());
    }

    /** A table with every setting; see the class comment (paddingIdx −1 and maxNorm 0 mean none). */
    public Embedding(int numEmbeddings, int embeddingDim, long paddingIdx, double maxNorm, double normType, boolean sparse,
                     Generator gen) {
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("Embedding: num_embeddings " + numEmbeddings + " and embedding_dim "
                    + embeddingDim + " must both be positive");
        }
        if (paddingIdx < -1 || paddingIdx >= numEmbeddings) {
            throw new IllegalArgumentException("Embedding: padding_idx " + paddingIdx + " must be a row in [0, "
                    + numEmbeddings + ") or -1 for none");
        }
        if (!(maxNorm >= 0) || !(normType > 0)) {
            throw new IllegalArgumentException("Embedding: max_norm " + maxNorm + " must be >= 0 (0: none) and norm_type "
                    + normType + " > 0");
        }
        if (gen == null) throw new IllegalArgumentException("Embedding: the generator is null; pass Generator.global() or a seeded one");
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx;
        this.maxNorm = maxNorm;
        this.normType = normType;
        this.sparse = sparse;
        registerParameter("weight", Tensor.zeros(numEmbeddings, embeddingDim));
        resetParameters(gen);
    }

    /** Re-draws N(0, 1) from gen and zeroes the padding row. */
    public void resetParameters(Generator gen) {
        Init.normal(weight(), 0, 1, gen);
        if (paddingIdx >= 0) {
            try (var scope = GradMode.noGrad()) {
                weight().narrow(0, (int) paddingIdx, 1).fill(0);
            }
        }
    }

    /** The table, shape [numEmbeddings, embeddingDim]. */
    public Tensor weight() {
        return parameter("weight");
    }

    public int numEmbeddings() { return numEmbeddings; }
    public int embeddingDim() { return embeddingDim; }
    public long paddingIdx() { return paddingIdx; }
    public double maxNorm() { return maxNorm; }
    public double normType() { return normType; }
    public boolean sparse() { return sparse; }

    /** The constructor's arguments by name (for a layer registry and the model file). */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("numEmbeddings", numEmbeddings);
        c.put("embeddingDim", embeddingDim);
        c.put("paddingIdx", paddingIdx);
        c.put("maxNorm", maxNorm);
        c.put("normType", normType);
        c.put("sparse", sparse);
        return c;
    }

    @Override
    public Tensor forward(Tensor indices) {
        checkIndices(indices);
        Tensor flat = indices.reshape(-1);
        if (maxNorm > 0) renorm(flat);
        Tensor rows = lookup(weight(), flat, sparse, paddingIdx);
        int[] shape = Arrays.copyOf(indices.shape(), indices.dim() + 1);
        shape[indices.dim()] = embeddingDim;
        return rows.reshape(shape);
    }

    private void checkIndices(Tensor indices) {
        if (indices.dtype() != DType.INT64) {
            throw new IllegalArgumentException(this + ": indices must be an int64 tensor, got " + indices.dtype()
                    + " of shape " + Shape.str(indices.shape()) + "; convert with .toType(DType.INT64)");
        }
        for (long i : indices.toLongArray()) {
            if (i < 0 || i >= numEmbeddings) {
                throw new IndexOutOfBoundsException(this + ": index " + i + " is outside the table's rows [0, "
                        + numEmbeddings + ")");
            }
        }
    }

    // PyTorch's embedding_renorm_: each distinct looked-up row, in place, outside the graph
    private void renorm(Tensor flat) {
        try (var scope = GradMode.noGrad()) {
            for (long i : Arrays.stream(flat.toLongArray()).distinct().toArray()) {
                Tensor row = weight().narrow(0, (int) i, 1);
                double norm = normType == 2 ? row.square().sum().sqrt().item()
                        : row.abs().pow(normType).sum().pow(1 / normType).item();
                if (norm > maxNorm) row.mulInPlace(maxNorm / (norm + 1e-7));
            }
        }
    }

    /**
     * The rows of table at the int64 indices [n], shape [n, ...]: with {@code sparse}, the
     * table's gradient is accumulated as a {@link RowSparse} of those rows; rows equal to
     * paddingIdx (unless −1) get no gradient.
     */
    static Tensor lookup(Tensor table, Tensor index, boolean sparse, long paddingIdx) {
        long[] idx = index.toLongArray();
        long[] kept = paddingIdx < 0 ? null : java.util.stream.IntStream.range(0, idx.length)
                .filter(i -> idx[i] != paddingIdx).asLongStream().toArray();
        boolean padded = kept != null && kept.length < idx.length;
        if (!sparse || !table.requiresGrad() || !GradMode.isEnabled()) {
            Tensor rows = table.indexSelect(0, index);
            if (!padded) return rows;
            Tensor isPad = index.eq((double) paddingIdx).reshape(idx.length, 1);
            return Tensor.where(isPad, table.detach().indexSelect(0, index), rows);
        }
        Tensor rows = table.detach().indexSelect(0, index).requiresGrad(true);
        rows.registerHook(g -> {
            Tensor positions = padded ? Tensor.of(kept) : null;
            table.accumulateSparseGrad(padded
                    ? new RowSparse(index.indexSelect(0, positions), g.indexSelect(0, positions), table.shape())
                    : new RowSparse(index, g, table.shape()));
            return null;
        });
        return rows;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        int[] out = Arrays.copyOf(inputShape, inputShape.length + 1);
        out[inputShape.length] = embeddingDim;
        return out;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "")
                + (maxNorm > 0 ? ", max_norm=" + maxNorm : "") + (sparse ? ", sparse=True" : "");
    }
}
