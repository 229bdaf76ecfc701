package dev.nabla.nn;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Shape;
import dev.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * Loss functions, as torch.nn.functional: each takes the prediction first and the target second,
 * and reduces with {@link Reduction#MEAN} unless told otherwise (so a mini-batch gradient is the
 * average of the per-example gradients). All are composed of differentiable ops. Each method fits
 * a loss interface such as {@code (prediction, target) -> Tensor}, e.g. {@code Losses::mseLoss}.
 *
 * <ul>
 *   <li>regression: {@link #mseLoss}, {@link #l1Loss}, {@link #huberLoss};
 *   <li>binary and multi-label (one sigmoid per label): {@link #binaryCrossEntropy} on
 *       probabilities, {@link #binaryCrossEntropyWithLogits} on logits (preferred: stable);
 *   <li>multi-class: {@link #crossEntropy} on logits, with int64 class labels or probability
 *       targets; {@link #nllLoss} on log-probabilities; {@link #categoricalCrossEntropy} on
 *       probabilities (Keras' categorical_crossentropy, the course's formula).
 * </ul>
 */
public final class Losses {
    private Losses() {}

    /** log(x) limited below at −100, as PyTorch's BCE does: finite (value and gradient) even at x = 0. */
    private static Tensor clampedLog(Tensor x) {
        Tensor nonzero = x.ne(0); // NaN counts as nonzero, so NaN stays NaN
        Tensor safe = Tensor.where(nonzero, x, Tensor.scalar(x.dtype(), 1)); // log(1) = 0 where x = 0: no ∞, no 0·∞ in the gradient
        return Tensor.where(nonzero, safe.log(), Tensor.scalar(x.dtype(), -100)).clampMin(-100);
    }

    private static Tensor reduce(Tensor loss, Reduction reduction) {
        return switch (reduction) {
            case MEAN -> loss.mean();
            case SUM -> loss.sum();
            case NONE -> loss;
        };
    }

    private static void requireFloat(String loss, String what, Tensor t) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(loss + ": the " + what + " is " + t.dtype() + " of shape " + Shape.str(t.shape())
                    + "; it must be float32 or float64 (convert with toType(DType.FLOAT32))");
        }
    }

    private static void requireSameShape(String loss, Tensor input, Tensor target) {
        requireFloat(loss, "input", input);
        requireFloat(loss, "target", target);
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(loss + ": input of shape " + Shape.str(input.shape()) + " and target of shape "
                    + Shape.str(target.shape()) + " differ; they must be equal (e.g. reshape the target to "
                    + Shape.str(input.shape()) + ")");
        }
    }

    // ---------------------------------------------------------------- regression

    /** Mean squared error, mean((input − target)²). */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    /** Squared error (input − target)², reduced. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        requireSameShape("mseLoss", input, target);
        Tensor d = input.sub(target);
        return reduce(d.mul(d), reduction);
    }

    /** Mean absolute error, mean(|input − target|). */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, Reduction.MEAN);
    }

    /** Absolute error |input − target|, reduced. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        requireSameShape("l1Loss", input, target);
        return reduce(input.sub(target).abs(), reduction);
    }

    /** Huber loss with delta 1. */
    public static Tensor huberLoss(Tensor input, Tensor target) {
        return huberLoss(input, target, 1.0, Reduction.MEAN);
    }

    /** Huber loss, mean reduction. */
    public static Tensor huberLoss(Tensor input, Tensor target, double delta) {
        return huberLoss(input, target, delta, Reduction.MEAN);
    }

    /** Huber loss: ½d² where |d| &lt; delta, delta·(|d| − ½delta) elsewhere, d = input − target (as PyTorch). */
    public static Tensor huberLoss(Tensor input, Tensor target, double delta, Reduction reduction) {
        requireSameShape("huberLoss", input, target);
        if (!(delta > 0)) throw new IllegalArgumentException("huberLoss: delta " + delta + " must be positive");
        Tensor d = input.sub(target);
        Tensor a = d.abs();
        Tensor loss = Tensor.where(a.lt(delta), d.mul(d).mul(0.5), a.sub(0.5 * delta).mul(delta));
        return reduce(loss, reduction);
    }

    // ---------------------------------------------------------------- binary

    /** Binary cross-entropy on probabilities, mean reduction. */
    public static Tensor binaryCrossEntropy(Tensor probabilities, Tensor target) {
        return binaryCrossEntropy(probabilities, target, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy −(y·log p + (1−y)·log(1−p)) on probabilities p in [0, 1] (e.g. after a
     * sigmoid). Each log is limited below at −100, as PyTorch does, so p = 0 or 1 gives a finite
     * loss and gradient, never NaN. For multi-label outputs use one sigmoid per label: the loss is
     * taken per element. Prefer {@link #binaryCrossEntropyWithLogits} on the pre-sigmoid values.
     */
    public static Tensor binaryCrossEntropy(Tensor probabilities, Tensor target, Reduction reduction) {
        requireSameShape("binaryCrossEntropy", probabilities, target);
        if (probabilities.numel() > 0) {
            double min, max;
            try (var s = GradMode.noGrad()) {
                min = probabilities.min().item();
                max = probabilities.max().item();
            }
            if (min < 0 || max > 1) {
                throw new IllegalArgumentException("binaryCrossEntropy: the input of shape " + Shape.str(probabilities.shape())
                        + " holds values in [" + min + ", " + max + "], outside [0, 1]; it takes probabilities: apply a sigmoid"
                        + " first, or use binaryCrossEntropyWithLogits on the raw outputs");
            }
        }
        Tensor p = probabilities;
        Tensor loss = target.mul(clampedLog(p)).add(target.rsub(1).mul(clampedLog(p.rsub(1)))).neg();
        return reduce(loss, reduction);
    }

    /** Binary cross-entropy on logits, mean reduction. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return binaryCrossEntropyWithLogits(logits, target, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy of σ(x) against y, computed stably from the logits x as
     * max(x, 0) − x·y + log(1 + e^−|x|): no overflow for any x, and the gradient is σ(x) − y.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        requireSameShape("binaryCrossEntropyWithLogits", logits, target);
        Tensor pos = logits.relu();
        // −|x| written as x − 2·max(x, 0): its derivative is ±1 and, at x = 0, 1 (abs would give 0 there),
        // which makes the gradient at x = 0 exactly σ(0) − y.
        Tensor negAbs = logits.sub(pos.mul(2));
        Tensor loss = pos.sub(logits.mul(target)).add(negAbs.exp().add(1).log());
        return reduce(loss, reduction);
    }

    // ---------------------------------------------------------------- multi-class

    /** Cross-entropy from logits, mean reduction; see {@link #crossEntropy(Tensor, Tensor, Reduction)}. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, Reduction.MEAN);
    }

    /**
     * Cross-entropy from logits (unnormalized scores) of shape [N, C] (or [C], or [N, C, d...]),
     * through a stable log-softmax over the class dim. The target is either int64 class labels of
     * shape [N] (or [], or [N, d...]), each in [0, C), or class probabilities of the logits' shape
     * (e.g. one-hot rows): then the loss is −Σ_c y_c·log softmax(x)_c. MEAN averages over the N
     * (and d...) positions.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Reduction reduction) {
        requireFloat("crossEntropy", "input (logits)", logits);
        if (logits.dim() == 0) {
            throw new IllegalArgumentException("crossEntropy: the logits are a scalar; they need a class dim: [C] or [N, C]");
        }
        int classDim = logits.dim() == 1 ? 0 : 1;
        if (target.dtype() == DType.INT64) {
            checkLabels("crossEntropy", logits, target);
            return nll(logits.logSoftmax(classDim), target, classDim, reduction);
        }
        if (!Arrays.equals(logits.shape(), target.shape())) {
            throw new IllegalArgumentException("crossEntropy: logits of shape " + Shape.str(logits.shape())
                    + " and probability target of shape " + Shape.str(target.shape()) + " differ; give int64 class labels of shape "
                    + Shape.str(labelShape(logits)) + ", or probabilities of the logits' shape");
        }
        return reduce(logits.logSoftmax(classDim).mul(target).sum(classDim, false).neg(), reduction);
    }

    /** Negative log-likelihood, mean reduction; see {@link #nllLoss(Tensor, Tensor, Reduction)}. */
    public static Tensor nllLoss(Tensor logProbabilities, Tensor labels) {
        return nllLoss(logProbabilities, labels, Reduction.MEAN);
    }

    /**
     * Negative log-likelihood −log p[label] from log-probabilities of shape [N, C] (or [C], or
     * [N, C, d...]), e.g. the output of {@link LogSoftmax}, and int64 labels of shape [N] (or [], or
     * [N, d...]) in [0, C).
     */
    public static Tensor nllLoss(Tensor logProbabilities, Tensor labels, Reduction reduction) {
        requireFloat("nllLoss", "input (log-probabilities)", logProbabilities);
        if (logProbabilities.dim() == 0) {
            throw new IllegalArgumentException("nllLoss: the input is a scalar; it needs a class dim: [C] or [N, C]");
        }
        checkLabels("nllLoss", logProbabilities, labels);
        return nll(logProbabilities, labels, logProbabilities.dim() == 1 ? 0 : 1, reduction);
    }

    /** Categorical cross-entropy on probabilities, mean reduction; see {@link #categoricalCrossEntropy(Tensor, Tensor, Reduction)}. */
    public static Tensor categoricalCrossEntropy(Tensor probabilities, Tensor target) {
        return categoricalCrossEntropy(probabilities, target, Reduction.MEAN);
    }

    /**
     * Cross-entropy H(y, ŷ) = −Σ_c y_c·log ŷ_c on probabilities ŷ of shape [N, C] (e.g. after a
     * softmax), natural log, each log limited below at −100 so that ŷ = 0 is finite. The target is
     * int64 labels of shape [N] or probabilities of ŷ's shape. MEAN averages over N: the course's
     * −(1/N)ΣᵢΣⱼ yᵢⱼ log ŷᵢⱼ. From logits, {@link #crossEntropy} is more accurate.
     */
    public static Tensor categoricalCrossEntropy(Tensor probabilities, Tensor target, Reduction reduction) {
        requireFloat("categoricalCrossEntropy", "input (probabilities)", probabilities);
        if (probabilities.dim() == 0) {
            throw new IllegalArgumentException("categoricalCrossEntropy: the input is a scalar; it needs a class dim: [C] or [N, C]");
        }
        int classDim = probabilities.dim() == 1 ? 0 : 1;
        if (target.dtype() == DType.INT64) {
            checkLabels("categoricalCrossEntropy", probabilities, target);
            return nll(clampedLog(probabilities), target, classDim, reduction);
        }
        if (!Arrays.equals(probabilities.shape(), target.shape())) {
            throw new IllegalArgumentException("categoricalCrossEntropy: probabilities of shape " + Shape.str(probabilities.shape())
                    + " and target of shape " + Shape.str(target.shape()) + " differ; give int64 labels of shape "
                    + Shape.str(labelShape(probabilities)) + " or probabilities of the input's shape");
        }
        return reduce(clampedLog(probabilities).mul(target).sum(classDim, false).neg(), reduction);
    }

    // ---------------------------------------------------------------- helpers

    // The label shape that goes with an input of shape [C] or [N, C, d...]: [] or [N, d...].
    private static int[] labelShape(Tensor input) {
        int[] s = input.shape();
        if (s.length == 1) return new int[0];
        int[] out = new int[s.length - 1];
        out[0] = s[0];
        System.arraycopy(s, 2, out, 1, s.length - 2);
        return out;
    }

    private static void checkLabels(String loss, Tensor input, Tensor labels) {
        if (labels.dtype() != DType.INT64) {
            throw new IllegalArgumentException(loss + ": the labels are " + labels.dtype() + " of shape " + Shape.str(labels.shape())
                    + "; class labels must be int64 (Tensor.of(new long[] {...}) or toType(DType.INT64))");
        }
        int[] expected = labelShape(input);
        if (!Arrays.equals(labels.shape(), expected)) {
            throw new IllegalArgumentException(loss + ": input of shape " + Shape.str(input.shape()) + " needs labels of shape "
                    + Shape.str(expected) + ", got " + Shape.str(labels.shape()) + " (one class index per row, not one-hot)");
        }
        int classes = input.size(input.dim() == 1 ? 0 : 1);
        long[] l = labels.toLongArray();
        for (int i = 0; i < l.length; i++) {
            if (l[i] < 0 || l[i] >= classes) {
                throw new IllegalArgumentException(loss + ": label " + l[i] + " at position " + i + " is outside [0, " + classes
                        + ") for an input of shape " + Shape.str(input.shape()) + " with " + classes + " classes");
            }
        }
    }

    private static Tensor nll(Tensor logProbabilities, Tensor labels, int classDim, Reduction reduction) {
        Tensor picked = logProbabilities.gather(classDim, labels.unsqueeze(classDim)).squeeze(classDim);
        return reduce(picked.neg(), reduction);
    }
}
