package dev.nabla.course;

import dev.nabla.nn.Losses;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/**
 * Cross-entropy H(y, ŷ) = −Σⱼ yⱼ log ŷⱼ with the natural log: y = (1, 0, 0) against ŷ = (0.1,
 * 0.4, 0.5) gives 2.302585 and against ŷ' = (0.6, 0.3, 0.1) 0.510826. The midterm's answers 1
 * and 0.2218 used log base 10. It is not symmetric, and a probability of exactly 0 for the true
 * class must not give NaN or ∞ in an implementation.
 */
public final class CrossEntropy extends CourseProgram {
    @Override
    public String name() {
        return "cross-entropy";
    }

    @Override
    public String title() {
        return "cross-entropy with the natural log: 2.302585 and 0.510826 (the midterm's 1 and 0.2218 are log10)";
    }

    @Override
    protected void compute() throws IOException {
        Tensor y = Tensor.of(new double[] {1, 0, 0}, 1, 3);
        Tensor p = Tensor.of(new double[] {0.1, 0.4, 0.5}, 1, 3), q = Tensor.of(new double[] {0.6, 0.3, 0.1}, 1, 3);
        double hp = Losses.categoricalCrossEntropy(p, y).item(), hq = Losses.categoricalCrossEntropy(q, y).item();
        line("y = (1, 0, 0), H(y, ŷ) = −Σⱼ yⱼ ln ŷⱼ  (nabla: Losses.categoricalCrossEntropy)");
        line("  ŷ  = (0.1, 0.4, 0.5): H = −ln 0.1 = %.6f", figure("ce1", hp));
        line("  ŷ' = (0.6, 0.3, 0.1): H = −ln 0.6 = %.6f", figure("ce2", hq));
        line("with log base 10 instead, the midterm's answers:");
        line("  −log10 0.1 = %.4f, −log10 0.6 = %.4f  (= the natural-log values / ln 10)", figure("ce1log10", hp / Math.log(10)),
                figure("ce2log10", hq / Math.log(10)));
        double hpq = Losses.categoricalCrossEntropy(q, p).item(), hqp = Losses.categoricalCrossEntropy(p, q).item();
        line("not symmetric: H(ŷ, ŷ') = %.6f but H(ŷ', ŷ) = %.6f", figure("h_p_q", hpq), figure("h_q_p", hqp));
        Tensor zero = Tensor.of(new double[] {0, 0.5, 0.5}, 1, 3);
        double clamped = Losses.categoricalCrossEntropy(zero, y).item();
        line("a predicted probability of exactly 0 for the true class: −ln 0 = ∞; nabla limits the log at −100: %.1f", figure("zeroProbability", clamped));
        Tensor logits = Tensor.of(new double[] {-1000, 0, 0}, 1, 3);
        double fromLogits = Losses.crossEntropy(logits, Tensor.of(new long[] {0}, 1)).item();
        line("from logits (−1000, 0, 0) by log-softmax (Losses.crossEntropy): %.4f, finite and exact", figure("fromLogits", fromLogits));
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new CrossEntropy(), args);
    }
}
