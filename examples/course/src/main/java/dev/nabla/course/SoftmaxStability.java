package dev.nabla.course;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.io.IOException;

/**
 * softmax(y + c·1) = softmax(y), so subtracting max(y) before exp changes nothing but prevents
 * overflow: softmax(1000, 1001, 1002) = (0.0900306, 0.2447285, 0.6652410), where the naive
 * formula gives ∞/∞ = NaN.
 */
public final class SoftmaxStability extends CourseProgram {
    @Override
    public String name() {
        return "softmax-stability";
    }

    @Override
    public String title() {
        return "softmax of (1000, 1001, 1002): naive exp overflows, subtracting the max does not";
    }

    @Override
    protected void compute() throws IOException {
        Tensor y = Tensor.of(new double[] {1000, 1001, 1002});
        Tensor e = y.exp();
        Tensor naive = e.div(e.sum());
        line("y = (1000, 1001, 1002)");
        line("naive:  exp(y) = %s, exp(y)/Σexp(y) = %s", MiniBatchMean.vec(e.toDoubleArray()), MiniBatchMean.vec(naive.toDoubleArray()));
        figure("naiveIsNaN", Double.isNaN(naive.toDoubleArray()[0]) ? 1 : 0);
        Tensor shifted = y.sub(y.max());
        Tensor es = shifted.exp();
        line("stable: y − max(y) = %s, exp = %s, sum = %.7f", MiniBatchMean.vec(shifted.toDoubleArray()),
                MiniBatchMean.vec(es.toDoubleArray()), es.sum().item());
        double[] p = y.softmax(0).toDoubleArray();
        line("softmax(y) = (%.7f, %.7f, %.7f)  (nabla's softmax subtracts the max itself)", figure("p0", p[0]), figure("p1", p[1]), figure("p2", p[2]));
        double[] p32 = y.toType(DType.FLOAT32).softmax(0).toDoubleArray();
        line("in float32:   (%.7f, %.7f, %.7f)", p32[0], p32[1], p32[2]);
        double shift = y.add(-1002).softmax(0).sub(y.softmax(0)).abs().max().item();
        line("softmax(y − 1002) − softmax(y): largest |difference| %.1e (shift invariance)", figure("shiftDifference", shift));
    }

    /** Runs this program. */
    public static void main(String[] args) throws IOException {
        CourseProgram.main(new SoftmaxStability(), args);
    }
}
