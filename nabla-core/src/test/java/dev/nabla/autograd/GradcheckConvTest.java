package dev.nabla.autograd;

import dev.nabla.nn.Functional;
import dev.nabla.tensor.Checked;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The convolution and pooling ops checked against central finite differences in float64, first
 * and second order: conv2d with stride, padding (symmetric and asymmetric), dilation, groups and
 * bias, the transposed convolution, max and average pooling. Shapes are small so that the
 * second-order check (a Jacobian of a gradient) stays fast.
 */
public class GradcheckConvTest {
    private static final DType F64 = DType.FLOAT64;

    private record Case(String name, Function<List<Tensor>, Tensor> f, int[][] shapes, boolean distinct) {}

    private static Tensor input(Generator g, int[] shape, boolean distinct) {
        if (!distinct) return Tensor.randn(g, F64, shape).requiresGrad(true);
        // pairwise distinct values (gaps >= 0.1), so max pooling has no ties even after a step of 1e-6
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        long[] perm = Tensor.randperm(g, n).toLongArray();
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = (perm[i] - n / 2.0) * 0.1 + 0.02 * g.nextDouble();
        return Tensor.of(d, shape).requiresGrad(true);
    }

    private static int[] s(int... v) {
        return v;
    }

    /** The cases, for the test that every primitive has one ({@code PrimitiveCoverageTest}). */
    public static List<Checked> checked() {
        return cases().stream().map(c -> {
            List<Tensor> xs = inputs(c);
            return new Checked(c.name(), xs, () -> List.of(c.f().apply(xs)));
        }).toList();
    }

    private static List<Tensor> inputs(Case c) {
        Generator g = new Generator(c.name().hashCode());
        List<Tensor> xs = new ArrayList<>();
        for (int[] shape : c.shapes()) xs.add(input(g, shape, c.distinct()));
        return xs;
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("conv2d_basic_bias", xs -> xs.get(0).conv2d(xs.get(1), xs.get(2), 1, 0),
                new int[][] {s(2, 2, 4, 4), s(3, 2, 3, 3), s(3)}, false));
        c.add(new Case("conv2d_stride2_pad1", xs -> xs.get(0).conv2d(xs.get(1), xs.get(2), s(2), s(1), s(1), 1),
                new int[][] {s(2, 2, 5, 4), s(2, 2, 3, 3), s(2)}, false));
        c.add(new Case("conv2d_dilation2_pad2", xs -> xs.get(0).conv2d(xs.get(1), null, s(1), s(2, 1), s(2, 1), 1),
                new int[][] {s(1, 2, 5, 5), s(2, 2, 3, 2)}, false));
        c.add(new Case("conv2d_groups2_stride_2_1", xs -> xs.get(0).conv2d(xs.get(1), xs.get(2), s(2, 1), s(1), s(1), 2),
                new int[][] {s(2, 4, 5, 4), s(4, 2, 3, 3), s(4)}, false));
        c.add(new Case("conv2d_same_even_kernel", xs -> xs.get(0).conv2d(xs.get(1), null, s(1), s(0, 1, 1, 2), s(1), 1),
                new int[][] {s(1, 2, 4, 4), s(2, 2, 2, 4)}, false));
        c.add(new Case("conv2d_pointwise", xs -> xs.get(0).conv2d(xs.get(1), xs.get(2), 1, 0),
                new int[][] {s(2, 3, 3, 2), s(2, 3, 1, 1), s(2)}, false));
        c.add(new Case("conv2d_unbatched", xs -> xs.get(0).conv2d(xs.get(1), null, 1, 1),
                new int[][] {s(2, 3, 3), s(2, 2, 3, 3)}, false));
        c.add(new Case("convTranspose2d_stride2_outpad1", xs -> xs.get(0).convTranspose2d(xs.get(1), xs.get(2), s(2), s(1), s(1), s(1), 1),
                new int[][] {s(2, 2, 3, 3), s(2, 3, 3, 3), s(3)}, false));
        c.add(new Case("convTranspose2d_groups2_dilation2", xs -> xs.get(0).convTranspose2d(xs.get(1), null, s(1), s(1), s(0), s(2), 2),
                new int[][] {s(1, 4, 3, 3), s(4, 1, 2, 2)}, false));
        c.add(new Case("maxPool2d_2", xs -> xs.get(0).maxPool2d(2), new int[][] {s(2, 2, 4, 5)}, true));
        c.add(new Case("maxPool2d_3_stride2_pad1", xs -> xs.get(0).maxPool2d(s(3), s(2), s(1)), new int[][] {s(1, 2, 5, 5)}, true));
        c.add(new Case("avgPool2d_2", xs -> xs.get(0).avgPool2d(2), new int[][] {s(2, 2, 4, 5)}, false));
        c.add(new Case("avgPool2d_3_stride2_pad1", xs -> xs.get(0).avgPool2d(s(3), s(2), s(1), true), new int[][] {s(1, 2, 5, 5)}, false));
        c.add(new Case("avgPool2d_3_pad1_exclude_pad", xs -> xs.get(0).avgPool2d(s(3, 2), s(1), s(1), false),
                new int[][] {s(1, 2, 4, 4)}, false));
        // a nonlinearity after the pool: its second derivative runs the pool's backward backwards
        c.add(new Case("maxPool2d_2_tanh", xs -> xs.get(0).maxPool2d(2).tanh(), new int[][] {s(1, 2, 4, 4)}, true));
        // training-mode batch norm, the fused op: kernel rule first order, composite rule second order
        c.add(new Case("batchNorm_train_affine", xs -> Functional.batchNorm(xs.get(0), null, null, xs.get(1), xs.get(2), true, 0.1, 1e-5)
                .tanh(), new int[][] {s(3, 2, 2, 3), s(2), s(2)}, false));
        // a conv feeding a pool feeding a nonlinearity: the chain rule across the new primitives
        c.add(new Case("conv_tanh_maxpool", xs -> xs.get(0).conv2d(xs.get(1), xs.get(2), 1, 1).tanh().maxPool2d(2),
                new int[][] {s(1, 2, 4, 4), s(2, 2, 3, 3), s(2)}, false));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> firstAndSecondOrder() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Gradcheck.assertGradients(c.f(), inputs(c), true);
        }));
    }
}
