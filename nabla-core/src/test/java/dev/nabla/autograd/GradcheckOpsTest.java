package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Functional;
import dev.nabla.tensor.Checked;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every differentiable op of {@link Tensor}, checked against central finite differences in
 * float64, first and second order ({@link Gradcheck#assertGradients}), on seeded random inputs:
 * plain, broadcasting and non-contiguous operands, plus the functional transforms of
 * {@link Autograd} and a check that gradcheck itself catches a wrong derivative.
 */
public class GradcheckOpsTest {
    private static final DType F64 = DType.FLOAT64;

    // ------------------------------------------------------------------ input samplers

    /** Draws a float64 tensor of the given shape (not yet requiring grad). */
    @FunctionalInterface
    interface Sampler {
        Tensor sample(Generator g, int... shape);
    }

    private static final Sampler NORMAL = (g, s) -> Tensor.randn(g, F64, s);
    private static final Sampler POSITIVE = (g, s) -> Tensor.uniform(g, F64, 0.5, 2.0, s);
    /** |x| in [0.3, 1.5] with a random sign: safe for 1/x, |x|, relu. */
    private static final Sampler NONZERO = (g, s) -> fill(g, s, r -> (r.nextDouble() < 0.5 ? -1 : 1) * (0.3 + 1.2 * r.nextDouble()));
    /** Pairwise distinct values (gaps ≥ 0.2), so max/min have no ties even after an ε step. */
    private static final Sampler DISTINCT = (g, s) -> {
        int n = numel(s);
        long[] perm = Tensor.randperm(g, n).toLongArray();
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = (perm[i] - n / 2.0) * 0.25 + 0.05 * g.nextDouble();
        return of(d, s);
    };

    /** Normal values, redrawn when within 0.05 of one of the points (kinks of relu, abs, clamp). */
    private static Sampler avoiding(double... points) {
        return (g, s) -> fill(g, s, r -> {
            while (true) {
                double v = r.nextGaussian();
                boolean ok = true;
                for (double p : points) ok &= Math.abs(v - p) > 0.05;
                if (ok) return v;
            }
        });
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    private static Tensor of(double[] d, int[] shape) {
        return shape.length == 0 ? Tensor.of(d, 1).reshape() : Tensor.of(d, shape);
    }

    private static Tensor fill(Generator g, int[] shape, ToDoubleFunction<Generator> draw) {
        double[] d = new double[numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = draw.applyAsDouble(g);
        return of(d, shape);
    }

    /** How a leaf is made: contiguous, or a non-contiguous view detached from its base. */
    @FunctionalInterface
    interface Leaf {
        Tensor make(Generator g, Sampler s);
    }

    private static Leaf contiguous(int... shape) {
        return (g, s) -> s.sample(g, shape).requiresGrad(true);
    }

    /** A [rows, cols] leaf whose memory is column-major: the transpose of a [cols, rows] tensor. */
    private static Leaf transposedLeaf(int rows, int cols) {
        return (g, s) -> {
            Tensor x = s.sample(g, cols, rows).t().detach().requiresGrad(true);
            assertFalse(x.isContiguous(), "the leaf should be a non-contiguous view");
            return x;
        };
    }

    private static Tensor leaf(Generator g, Sampler s, int... shape) {
        return s.sample(g, shape).requiresGrad(true);
    }

    private static Tensor index(long... values) {
        return Tensor.of(values);
    }

    private static Tensor index(long[] values, int... shape) {
        return Tensor.of(values, shape);
    }

    // ------------------------------------------------------------------ cases

    /** One named gradcheck: inputs drawn from a generator seeded by the name, and the function. */
    record Case(String name, Function<Generator, List<Tensor>> inputs, Function<List<Tensor>, Tensor> f) {
        @Override
        public String toString() {
            return name;
        }
    }

    @TestFactory
    Stream<DynamicTest> gradcheckEveryOp() {
        List<Case> cases = cases();
        long distinct = cases.stream().map(Case::name).distinct().count();
        assertEquals(cases.size(), distinct, "case names must be unique");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            List<Tensor> in = c.inputs().apply(new Generator(c.name().hashCode()));
            try {
                Gradcheck.assertGradients(c.f(), in, true);
            } catch (AssertionError e) {
                throw new AssertionError(c.name() + ": " + e.getMessage(), e);
            }
        }));
    }

    /** The cases, for the test that every primitive has one ({@code PrimitiveCoverageTest}). */
    public static List<Checked> checked() {
        return cases().stream().map(c -> {
            List<Tensor> in = c.inputs().apply(new Generator(c.name().hashCode()));
            return new Checked(c.name(), in, () -> List.of(c.f().apply(in)));
        }).toList();
    }

    private static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        unaryOps(cs);
        binaryOps(cs);
        reductions(cs);
        matmuls(cs);
        movement(cs);
        joining(cs);
        indexing(cs);
        composites(cs);
        edgeCases(cs);
        return cs;
    }

    private static void add(List<Case> cs, String name, Function<Generator, List<Tensor>> inputs, Function<List<Tensor>, Tensor> f) {
        cs.add(new Case(name, inputs, f));
    }

    /** f applied to one leaf of the given shape. */
    private static void one(List<Case> cs, String name, Sampler s, int[] shape, UnaryOperator<Tensor> f) {
        add(cs, name, g -> List.of(leaf(g, s, shape)), xs -> f.apply(xs.get(0)));
    }

    private static int[] shape(int... s) {
        return s;
    }

    // Elementwise maps: on a contiguous [3,4] leaf and on a non-contiguous (transposed) one.
    private static void unary(List<Case> cs, String name, UnaryOperator<Tensor> f, Sampler s) {
        add(cs, name + " [3,4]", g -> List.of(contiguous(3, 4).make(g, s)), xs -> f.apply(xs.get(0)));
        add(cs, name + " non-contiguous leaf [3,4]", g -> List.of(transposedLeaf(3, 4).make(g, s)), xs -> f.apply(xs.get(0)));
    }

    private static void unaryOps(List<Case> cs) {
        unary(cs, "neg", Tensor::neg, NORMAL);
        unary(cs, "exp", Tensor::exp, NORMAL);
        unary(cs, "log", Tensor::log, POSITIVE);
        unary(cs, "sqrt", Tensor::sqrt, POSITIVE);
        unary(cs, "abs", Tensor::abs, NONZERO);
        unary(cs, "sigmoid", Tensor::sigmoid, NORMAL);
        unary(cs, "tanh", Tensor::tanh, NORMAL);
        unary(cs, "relu", Tensor::relu, NONZERO);
        unary(cs, "sin", Tensor::sin, NORMAL);
        unary(cs, "cos", Tensor::cos, NORMAL);
        unary(cs, "leakyRelu(0.1)", x -> x.leakyRelu(0.1), NONZERO);
        unary(cs, "square", Tensor::square, NORMAL);
        unary(cs, "reciprocal", Tensor::reciprocal, NONZERO);
        unary(cs, "clamp(-0.5, 0.7)", x -> x.clamp(-0.5, 0.7), avoiding(-0.5, 0.7));
        unary(cs, "clampMin(-0.3)", x -> x.clampMin(-0.3), avoiding(-0.3));
        unary(cs, "clampMax(0.4)", x -> x.clampMax(0.4), avoiding(0.4));
        unary(cs, "add(1.5)", x -> x.add(1.5), NORMAL);
        unary(cs, "sub(0.5)", x -> x.sub(0.5), NORMAL);
        unary(cs, "mul(-2.5)", x -> x.mul(-2.5), NORMAL);
        unary(cs, "div(3)", x -> x.div(3), NORMAL);
        unary(cs, "rsub(2)", x -> x.rsub(2), NORMAL);
        unary(cs, "rdiv(2)", x -> x.rdiv(2), NONZERO);
        unary(cs, "pow(2.5) positive base", x -> x.pow(2.5), POSITIVE);
        unary(cs, "pow(-1.5) positive base", x -> x.pow(-1.5), POSITIVE);
        unary(cs, "pow(3)", x -> x.pow(3), NORMAL);
        unary(cs, "pow(2)", x -> x.pow(2), NORMAL);
        unary(cs, "pow(1)", x -> x.pow(1), NORMAL);
        unary(cs, "pow(0)", x -> x.pow(0), NORMAL);
    }

    // Binary ops: same shape, broadcasting, a 0-d operand, a non-contiguous leaf, views built in f.
    record Layout(String label, Leaf x, UnaryOperator<Tensor> vx, Leaf y, UnaryOperator<Tensor> vy) {}

    private static final UnaryOperator<Tensor> ID = t -> t;

    private static final List<Layout> LAYOUTS = List.of(
            new Layout("[3,4] with [3,4]", contiguous(3, 4), ID, contiguous(3, 4), ID),
            new Layout("broadcast [3,1,4] with [2,1]", contiguous(3, 1, 4), ID, contiguous(2, 1), ID),
            new Layout("broadcast [4] with [3,4]", contiguous(4), ID, contiguous(3, 4), ID),
            new Layout("broadcast [2,3] with 0-d", contiguous(2, 3), ID, contiguous(), ID),
            new Layout("non-contiguous leaves", transposedLeaf(3, 4), ID, transposedLeaf(3, 4), ID),
            new Layout("transposed view with sliced view (step 2, negative start)",
                    contiguous(4, 3), Tensor::t, contiguous(3, 9), y -> y.slice(1, -8, 9, 2)),
            new Layout("expanded view (stride 0) with non-contiguous leaf",
                    contiguous(3, 1), x -> x.expand(3, 4), transposedLeaf(3, 4), ID));

    private static void binary(List<Case> cs, String name, BinaryOperator<Tensor> op, Sampler sx, Sampler sy,
                               BiPredicate<Tensor, Tensor> ok) {
        for (Layout l : LAYOUTS) {
            add(cs, name + " " + l.label(), g -> {
                for (int attempt = 0; attempt < 1000; attempt++) {
                    Tensor x = l.x().make(g, sx), y = l.y().make(g, sy);
                    boolean good;
                    try (var s = GradMode.noGrad()) {
                        good = ok.test(l.vx().apply(x), l.vy().apply(y));
                    }
                    if (good) return List.of(x, y);
                }
                throw new IllegalStateException(name + ": could not draw valid inputs");
            }, xs -> op.apply(l.vx().apply(xs.get(0)), l.vy().apply(xs.get(1))));
        }
    }

    /** No two broadcast-paired elements within 0.05 of each other (no ties for maximum/minimum). */
    private static boolean apart(Tensor x, Tensor y) {
        return x.sub(y).abs().min().item() > 0.05;
    }

    // A fixed 0/1 pattern of the given shape, for where's condition.
    private static Tensor mask(int[] shape) {
        double[] d = new double[numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (i * 7) % 3 != 0 ? 1 : 0;
        return of(d, shape);
    }

    private static void binaryOps(List<Case> cs) {
        BiPredicate<Tensor, Tensor> any = (x, y) -> true;
        binary(cs, "add", Tensor::add, NORMAL, NORMAL, any);
        binary(cs, "sub", Tensor::sub, NORMAL, NORMAL, any);
        binary(cs, "mul", Tensor::mul, NORMAL, NORMAL, any);
        binary(cs, "div", Tensor::div, NORMAL, NONZERO, any);
        binary(cs, "pow(Tensor) positive base", Tensor::pow, POSITIVE, NORMAL, any);
        binary(cs, "maximum", Tensor::maximum, NORMAL, NORMAL, GradcheckOpsTest::apart);
        binary(cs, "minimum", Tensor::minimum, NORMAL, NORMAL, GradcheckOpsTest::apart);
        binary(cs, "where", (a, b) -> {
            int[] out;
            try (var s = GradMode.noGrad()) {
                out = a.add(b).shape();
            }
            return Tensor.where(mask(out), a, b);
        }, NORMAL, NORMAL, any);
        add(cs, "where condition [3,1] broadcast to [3,4] and [4]",
                g -> List.of(leaf(g, NORMAL, 3, 4), leaf(g, NORMAL, 4)),
                xs -> Tensor.where(of(new double[] {1, 0, 1}, shape(3, 1)), xs.get(0), xs.get(1)));
        add(cs, "mul of a tensor with itself (x*x through two paths)",
                g -> List.of(leaf(g, NORMAL, 3, 4)), xs -> xs.get(0).mul(xs.get(0).t().t()));
    }

    private static void reductions(List<Case> cs) {
        int[] s = {2, 3, 4};
        one(cs, "sum() all", NORMAL, s, Tensor::sum);
        one(cs, "sum(1)", NORMAL, s, x -> x.sum(1, false));
        one(cs, "sum(1, keepdim)", NORMAL, s, x -> x.sum(1, true));
        one(cs, "sum(-1)", NORMAL, s, x -> x.sum(-1, false));
        one(cs, "sum({0,2})", NORMAL, s, x -> x.sum(new int[] {0, 2}, false));
        one(cs, "sum({0,2}, keepdim)", NORMAL, s, x -> x.sum(new int[] {0, 2}, true));
        one(cs, "sum({0,1,2}, keepdim)", NORMAL, s, x -> x.sum(new int[] {0, 1, 2}, true));
        add(cs, "sum(0) non-contiguous leaf", g -> List.of(transposedLeaf(3, 4).make(g, NORMAL)), xs -> xs.get(0).sum(0, false));
        one(cs, "sum(1) of a permuted view", NORMAL, s, x -> x.permute(2, 0, 1).sum(1, false));
        one(cs, "sumTo([3,1])", NORMAL, s, x -> x.sumTo(shape(3, 1)));
        one(cs, "sumTo([4])", NORMAL, s, x -> x.sumTo(shape(4)));
        one(cs, "sumTo([2,1,4])", NORMAL, s, x -> x.sumTo(shape(2, 1, 4)));
        one(cs, "sumTo(0-d)", NORMAL, s, x -> x.sumTo(new int[0]));
        one(cs, "mean() all", NORMAL, s, Tensor::mean);
        one(cs, "mean(1, keepdim)", NORMAL, s, x -> x.mean(1, true));
        one(cs, "mean({0,2})", NORMAL, s, x -> x.mean(new int[] {0, 2}, false));
        one(cs, "var() all, correction 1", NORMAL, s, Tensor::var);
        one(cs, "var(1) correction 1", NORMAL, s, x -> x.var(1, false));
        one(cs, "var({0,2}) correction 0, keepdim", NORMAL, s, x -> x.var(new int[] {0, 2}, 0, true));
        one(cs, "var({2}) correction 0", NORMAL, s, x -> x.var(new int[] {2}, 0, false));
        one(cs, "var({-1}) correction 1, keepdim", NORMAL, s, x -> x.var(new int[] {-1}, 1, true));
        one(cs, "std() all", NORMAL, s, Tensor::std);
        one(cs, "std({2}) correction 1", NORMAL, s, x -> x.std(new int[] {2}, 1, false));
        one(cs, "std({0,1}) correction 0, keepdim", NORMAL, s, x -> x.std(new int[] {0, 1}, 0, true));
        one(cs, "amax({1})", DISTINCT, s, x -> x.amax(new int[] {1}, false));
        one(cs, "amax({0,2}, keepdim)", DISTINCT, s, x -> x.amax(new int[] {0, 2}, true));
        one(cs, "amin({2})", DISTINCT, s, x -> x.amin(new int[] {2}, false));
        one(cs, "amin({0,1}, keepdim)", DISTINCT, s, x -> x.amin(new int[] {0, 1}, true));
        one(cs, "max() all", DISTINCT, s, Tensor::max);
        one(cs, "min() all", DISTINCT, s, Tensor::min);
        one(cs, "max(1) values", DISTINCT, s, x -> x.max(1, false).values());
        one(cs, "max(-1, keepdim) values", DISTINCT, s, x -> x.max(-1, true).values());
        one(cs, "min(0) values", DISTINCT, s, x -> x.min(0, false).values());
        one(cs, "min(2, keepdim) values", DISTINCT, s, x -> x.min(2, true).values());
        add(cs, "amax({0}) non-contiguous leaf", g -> List.of(transposedLeaf(3, 4).make(g, DISTINCT)),
                xs -> xs.get(0).amax(new int[] {0}, false));
        for (int d : new int[] {0, 1, -1}) {
            one(cs, "logsumexp(" + d + ")", NORMAL, s, x -> x.logsumexp(d, false));
            one(cs, "logsumexp(" + d + ", keepdim)", NORMAL, s, x -> x.logsumexp(d, true));
            one(cs, "softmax(" + d + ")", NORMAL, s, x -> x.softmax(d));
            one(cs, "logSoftmax(" + d + ")", NORMAL, s, x -> x.logSoftmax(d));
        }
        add(cs, "softmax(1) non-contiguous leaf", g -> List.of(transposedLeaf(3, 4).make(g, NORMAL)), xs -> xs.get(0).softmax(1));
        add(cs, "logSoftmax(-1) non-contiguous leaf", g -> List.of(transposedLeaf(3, 4).make(g, NORMAL)), xs -> xs.get(0).logSoftmax(-1));
    }

    private static void mm(List<Case> cs, String name, Leaf a, UnaryOperator<Tensor> va, Leaf b, UnaryOperator<Tensor> vb) {
        add(cs, "matmul " + name, g -> List.of(a.make(g, NORMAL), b.make(g, NORMAL)),
                xs -> va.apply(xs.get(0)).matmul(vb.apply(xs.get(1))));
    }

    private static void matmuls(List<Case> cs) {
        mm(cs, "1-D·1-D [4]·[4]", contiguous(4), ID, contiguous(4), ID);
        mm(cs, "1-D·2-D [3]·[3,4]", contiguous(3), ID, contiguous(3, 4), ID);
        mm(cs, "2-D·1-D [3,4]·[4]", contiguous(3, 4), ID, contiguous(4), ID);
        mm(cs, "2-D·2-D [3,4]·[4,2]", contiguous(3, 4), ID, contiguous(4, 2), ID);
        mm(cs, "batched [2,3,4]·[2,4,2]", contiguous(2, 3, 4), ID, contiguous(2, 4, 2), ID);
        mm(cs, "broadcast batch [2,1,3,4]·[3,4,2]", contiguous(2, 1, 3, 4), ID, contiguous(3, 4, 2), ID);
        mm(cs, "3-D·2-D [2,3,4]·[4,2]", contiguous(2, 3, 4), ID, contiguous(4, 2), ID);
        mm(cs, "2-D·3-D [3,4]·[2,4,2]", contiguous(3, 4), ID, contiguous(2, 4, 2), ID);
        mm(cs, "1-D·3-D [4]·[2,4,3]", contiguous(4), ID, contiguous(2, 4, 3), ID);
        mm(cs, "3-D·1-D [2,3,4]·[4]", contiguous(2, 3, 4), ID, contiguous(4), ID);
        mm(cs, "transposed views in f", contiguous(4, 3), Tensor::t, contiguous(2, 4), Tensor::t);
        mm(cs, "non-contiguous leaves", transposedLeaf(3, 4), ID, transposedLeaf(4, 2), ID);
        mm(cs, "batched mT view [2,4,3].mT()·[2,4,2]", contiguous(2, 4, 3), Tensor::mT, contiguous(2, 4, 2), ID);
        mm(cs, "sliced view (step 2) ·[4,2]", contiguous(3, 8), x -> x.slice(1, 0, 8, 2), contiguous(4, 2), ID);
        add(cs, "matmul x·xᵀ (same leaf on both sides)", g -> List.of(leaf(g, NORMAL, 3, 4)), xs -> xs.get(0).matmul(xs.get(0).t()));
    }

    private static void movement(List<Case> cs) {
        int[] s = {2, 3, 4};
        one(cs, "reshape(4,6) view", NORMAL, s, x -> x.reshape(4, 6));
        one(cs, "reshape(-1,2) of a transposed view (copy)", NORMAL, s, x -> x.transpose(0, 2).reshape(-1, 2));
        add(cs, "reshape(-1) of a non-contiguous leaf", g -> List.of(transposedLeaf(3, 4).make(g, NORMAL)), xs -> xs.get(0).reshape(-1));
        one(cs, "view(6,4)", NORMAL, s, x -> x.view(6, 4));
        one(cs, "view(2,12) then mul", NORMAL, s, x -> x.view(2, 12).mul(x.view(2, 12)));
        one(cs, "flatten()", NORMAL, s, Tensor::flatten);
        one(cs, "flatten(1,2)", NORMAL, s, x -> x.flatten(1, 2));
        one(cs, "permute(2,0,1)", NORMAL, s, x -> x.permute(2, 0, 1));
        one(cs, "permute(-1,0,1) then exp", NORMAL, s, x -> x.permute(-1, 0, 1).exp());
        one(cs, "transpose(0,2)", NORMAL, s, x -> x.transpose(0, 2));
        one(cs, "t()", NORMAL, shape(3, 4), Tensor::t);
        one(cs, "t() of 1-D", NORMAL, shape(4), x -> x.t().mul(x));
        one(cs, "mT()", NORMAL, s, Tensor::mT);
        one(cs, "slice(2, -4, 4, 2) step 2 negative start", NORMAL, s, x -> x.slice(2, -4, 4, 2));
        one(cs, "slice(1, 0, 3, 2)", NORMAL, s, x -> x.slice(1, 0, 3, 2));
        one(cs, "slice(0, -1, 2, 1)", NORMAL, s, x -> x.slice(0, -1, 2, 1));
        one(cs, "slice(2, 1, 100, 3) end clamped", NORMAL, s, x -> x.slice(2, 1, 100, 3));
        one(cs, "slice of a slice then square", NORMAL, shape(3, 9), x -> x.slice(1, -8, 9, 2).slice(1, 1, 4, 2).square());
        add(cs, "slice of a non-contiguous leaf", g -> List.of(transposedLeaf(4, 5).make(g, NORMAL)), xs -> xs.get(0).slice(1, -4, 5, 2));
        one(cs, "narrow(2, 1, 2)", NORMAL, s, x -> x.narrow(2, 1, 2));
        one(cs, "select(1, -1)", NORMAL, s, x -> x.select(1, -1));
        one(cs, "select(0, 1)", NORMAL, s, x -> x.select(0, 1));
        one(cs, "squeeze()", NORMAL, shape(2, 1, 3, 1), Tensor::squeeze);
        one(cs, "squeeze(1)", NORMAL, shape(2, 1, 3), x -> x.squeeze(1));
        one(cs, "unsqueeze(0)", NORMAL, s, x -> x.unsqueeze(0));
        one(cs, "unsqueeze(-1)", NORMAL, s, x -> x.unsqueeze(-1));
        one(cs, "expand(2,3,4) from [3,1]", NORMAL, shape(3, 1), x -> x.expand(2, 3, 4));
        one(cs, "expand(-1,4) then mul", NORMAL, shape(3, 1), x -> x.expand(-1, 4).mul(x.expand(3, 4).sin()));
        add(cs, "expandAs", g -> List.of(leaf(g, NORMAL, 1, 4), leaf(g, NORMAL, 3, 4)),
                xs -> xs.get(0).expandAs(xs.get(1)).mul(xs.get(1)));
        one(cs, "contiguous() of a transposed view", NORMAL, s, x -> x.transpose(0, 1).contiguous());
        one(cs, "contiguous() of a contiguous tensor", NORMAL, s, x -> x.contiguous().mul(2));
        one(cs, "copy()", NORMAL, s, x -> x.copy().mul(x));
        add(cs, "copy() of a non-contiguous leaf", g -> List.of(transposedLeaf(3, 4).make(g, NORMAL)), xs -> xs.get(0).copy());
        one(cs, "toType(FLOAT64) identity", NORMAL, s, x -> x.toType(F64).exp());
    }

    private static void joining(List<Case> cs) {
        add(cs, "cat dim 1 of [2,3],[2,1],[2,2]", g -> List.of(leaf(g, NORMAL, 2, 3), leaf(g, NORMAL, 2, 1), leaf(g, NORMAL, 2, 2)),
                xs -> Tensor.cat(List.of(xs.get(0), xs.get(1).exp(), xs.get(2)), 1));
        add(cs, "cat dim 0 of [1,3],[2,3]", g -> List.of(leaf(g, NORMAL, 1, 3), leaf(g, NORMAL, 2, 3)),
                xs -> Tensor.cat(List.of(xs.get(0), xs.get(1)), 0));
        add(cs, "cat dim -1 with a non-contiguous leaf", g -> List.of(transposedLeaf(3, 2).make(g, NORMAL), leaf(g, NORMAL, 3, 4)),
                xs -> Tensor.cat(List.of(xs.get(0), xs.get(1)), -1));
        add(cs, "cat of the same tensor twice", g -> List.of(leaf(g, NORMAL, 2, 3)),
                xs -> Tensor.cat(List.of(xs.get(0), xs.get(0).square()), 0));
        for (int d : new int[] {0, 1, -1}) {
            add(cs, "stack dim " + d, g -> List.of(leaf(g, NORMAL, 2, 3), leaf(g, NORMAL, 2, 3), leaf(g, NORMAL, 2, 3)),
                    xs -> Tensor.stack(List.of(xs.get(0), xs.get(1).sin(), xs.get(2)), d));
        }
        one(cs, "split(2, 1) then recombined", NORMAL, shape(3, 5), x -> {
            List<Tensor> p = x.split(2, 1);
            assertEquals(3, p.size());
            return Tensor.cat(List.of(p.get(2), p.get(0).mul(2), p.get(1).sin()), 1);
        });
        one(cs, "split({1,3,1}, 0) then recombined", NORMAL, shape(5, 2), x -> {
            List<Tensor> p = x.split(new int[] {1, 3, 1}, 0);
            return Tensor.cat(List.of(p.get(1).exp(), p.get(2), p.get(0).mul(-3)), 0);
        });
    }

    private static void indexing(List<Case> cs) {
        Tensor gatherIdx1 = index(new long[] {0, 3, 3, 1, 0, 2, 2, 2, 0, 1, 3, 1, 1, 0, -1}, 3, 5);
        one(cs, "gather(1) repeated and negative indices", NORMAL, shape(3, 4), x -> x.gather(1, gatherIdx1));
        Tensor gatherIdx0 = index(new long[] {0, 2, 1, 0, 2, 2, 0, 1, 1, 0, 0, 2, 0, 1, 2, 1}, 4, 4);
        one(cs, "gather(0) repeated indices", NORMAL, shape(3, 4), x -> x.gather(0, gatherIdx0));
        Tensor gatherIdxSmall = index(new long[] {1, 1, 0, 2}, 2, 2);
        one(cs, "gather(0) index smaller than input", NORMAL, shape(3, 4), x -> x.gather(0, gatherIdxSmall));
        add(cs, "gather(1) non-contiguous leaf", g -> List.of(transposedLeaf(3, 4).make(g, NORMAL)), xs -> xs.get(0).gather(1, gatherIdx1));
        Tensor scatterIdx = index(new long[] {0, 0, 3, 1, 1, 2, 2, 2, 0, 3, 1, 1, 1, 0, 3}, 3, 5);
        add(cs, "scatterAdd(1) repeated indices", g -> List.of(leaf(g, NORMAL, 3, 4), leaf(g, NORMAL, 3, 5)),
                xs -> xs.get(0).scatterAdd(1, scatterIdx, xs.get(1)));
        Tensor scatterIdx0 = index(new long[] {2, 0, 2, 1, 2, 0, 1, 1}, 2, 4);
        add(cs, "scatterAdd(0) repeated indices, then square", g -> List.of(leaf(g, NORMAL, 3, 4), leaf(g, NORMAL, 2, 4)),
                xs -> xs.get(0).scatterAdd(0, scatterIdx0, xs.get(1)).square());
        add(cs, "scatterAdd(1) non-contiguous input and src", g -> List.of(transposedLeaf(3, 4).make(g, NORMAL), transposedLeaf(3, 5).make(g, NORMAL)),
                xs -> xs.get(0).scatterAdd(1, scatterIdx, xs.get(1)));
        Tensor rows = index(0, 2, 0, 1, 2);
        one(cs, "indexSelect(0) repeated indices", NORMAL, shape(3, 4), x -> x.indexSelect(0, rows));
        one(cs, "indexSelect(1) repeated indices", NORMAL, shape(3, 4), x -> x.indexSelect(1, index(3, 3, 0, -1)));
        add(cs, "indexSelect(0) non-contiguous leaf", g -> List.of(transposedLeaf(3, 4).make(g, NORMAL)), xs -> xs.get(0).indexSelect(0, rows));
        add(cs, "indexAdd(0) repeated indices", g -> List.of(leaf(g, NORMAL, 5, 3), leaf(g, NORMAL, 4, 3)),
                xs -> xs.get(0).indexAdd(0, index(1, 1, 3, 0), xs.get(1)));
        add(cs, "indexAdd(1) repeated indices, then exp", g -> List.of(leaf(g, NORMAL, 3, 4), leaf(g, NORMAL, 3, 3)),
                xs -> xs.get(0).indexAdd(1, index(2, 0, 2), xs.get(1)).exp());
        add(cs, "indexAdd(0) non-contiguous input and source", g -> List.of(transposedLeaf(5, 3).make(g, NORMAL), transposedLeaf(4, 3).make(g, NORMAL)),
                xs -> xs.get(0).indexAdd(0, index(1, 1, 3, 0), xs.get(1)));
    }

    /** A leaf that is a contiguous view at a nonzero storage offset (rows 1… of a larger tensor). */
    private static Leaf offsetLeaf(int rows, int cols) {
        return (g, s) -> s.sample(g, rows + 1, cols).narrow(0, 1, rows).detach().requiresGrad(true);
    }

    // A user-defined op (x·sin x with its own backward), composed with a built-in one
    private static final CustomOp X_SIN_X = CustomOp.of("xSinX", xs -> xs.get(0).mul(xs.get(0).sin()),
            (g, xs, y) -> List.of(g.mul(xs.get(0).sin().add(xs.get(0).mul(xs.get(0).cos())))));

    private static void edgeCases(List<Case> cs) {
        // float64 → float32 → float64: values near 1e-4 keep float32's rounding (~1e-11) far below the step's effect
        add(cs, "toType float32 and back", g -> List.of(Tensor.uniform(g, F64, 1e-4, 2e-4, 3, 4).requiresGrad(true)),
                xs -> xs.get(0).toType(DType.FLOAT32).toType(F64));
        unary(cs, "custom op xSinX", x -> X_SIN_X.apply(x).tanh(), NORMAL);
        add(cs, "exp of a 0-d leaf", g -> List.of(contiguous().make(g, NORMAL)), xs -> xs.get(0).exp());
        add(cs, "sum() of a 0-d leaf", g -> List.of(contiguous().make(g, NORMAL)), xs -> xs.get(0).square().sum());
        add(cs, "softmax(0) of a 1-D leaf", g -> List.of(contiguous(5).make(g, NORMAL)), xs -> xs.get(0).softmax(0));
        add(cs, "max(0) values of a 1-D leaf", g -> List.of(contiguous(5).make(g, DISTINCT)), xs -> xs.get(0).max(0, false).values());
        add(cs, "sumTo of the same shape", g -> List.of(contiguous(2, 3).make(g, NORMAL)), xs -> xs.get(0).sumTo(shape(2, 3)).sin());
        add(cs, "reshape of an expanded view (copy)", g -> List.of(contiguous(3, 1).make(g, NORMAL)),
                xs -> xs.get(0).expand(3, 4).reshape(12).mul(xs.get(0).expand(3, 4).reshape(12)));
        add(cs, "tanh of an expanded view", g -> List.of(contiguous(1, 4).make(g, NORMAL)), xs -> xs.get(0).expand(3, 4).tanh());
        add(cs, "matmul with an expanded operand", g -> List.of(contiguous(1, 4).make(g, NORMAL), contiguous(4, 2).make(g, NORMAL)),
                xs -> xs.get(0).expand(3, 4).matmul(xs.get(1)));
        add(cs, "leaves at a storage offset: mul and matmul", g -> List.of(offsetLeaf(2, 3).make(g, NORMAL), offsetLeaf(3, 2).make(g, NORMAL)),
                xs -> xs.get(0).matmul(xs.get(1)).mul(xs.get(0).matmul(xs.get(1))));
        Tensor idx = index(new long[] {1, 0, 1, 1, 2, 0}, 2, 3);
        add(cs, "gather on a leaf at a storage offset", g -> List.of(offsetLeaf(2, 3).make(g, NORMAL)), xs -> xs.get(0).gather(1, idx));
        add(cs, "scatterAdd into a narrowed view (offset)", g -> List.of(contiguous(4, 3).make(g, NORMAL), contiguous(2, 3).make(g, NORMAL)),
                xs -> xs.get(0).narrow(0, 2, 2).scatterAdd(1, idx, xs.get(1)).square());
        add(cs, "indexAdd into a narrowed view (offset)", g -> List.of(contiguous(4, 3).make(g, NORMAL), contiguous(2, 3).make(g, NORMAL)),
                xs -> xs.get(0).narrow(0, 1, 3).indexAdd(0, index(2, 2), xs.get(1)).exp());
        add(cs, "indexSelect of a narrowed view (offset)", g -> List.of(contiguous(4, 3).make(g, NORMAL)),
                xs -> xs.get(0).narrow(0, 1, 3).indexSelect(1, index(2, 0, 2)));
        add(cs, "where with a same-tensor branch", g -> List.of(contiguous(3, 4).make(g, NORMAL)),
                xs -> Tensor.where(mask(shape(3, 4)), xs.get(0).exp(), xs.get(0).square()));
        add(cs, "cat of float64 with a float32 constant", g -> List.of(contiguous(2, 3).make(g, NORMAL)),
                xs -> Tensor.cat(List.of(xs.get(0).sin(), Tensor.ones(DType.FLOAT32, 2, 2)), 1).mul(xs.get(0).sum()));
        add(cs, "permute then reshape (copy) then sum(0)", g -> List.of(contiguous(2, 3, 4).make(g, NORMAL)),
                xs -> xs.get(0).permute(1, 2, 0).reshape(6, 4).square().sum(0, false));
    }

    // ------------------------------------------------------------------ composites

    /** tanh(x·W1 + b1)·W2 + b2. */
    private static Tensor mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        return x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
    }

    private static final Tensor LABELS = index(new long[] {0, 2, 1, 2, 0}, 5, 1);

    /** Mean softmax cross-entropy built from logSoftmax + gather. */
    private static Tensor crossEntropy(Tensor logits, Tensor labels) {
        return logits.logSoftmax(1).gather(1, labels).neg().mean();
    }

    private static List<Tensor> mlpInputs(Generator g) {
        return List.of(leaf(g, NORMAL, 5, 3), leaf(g, NORMAL, 3, 4), leaf(g, NORMAL, 4), leaf(g, NORMAL, 4, 3), leaf(g, NORMAL, 3));
    }

    private static void composites(List<Case> cs) {
        add(cs, "linear (one fused op), with and without a bias", g -> List.of(leaf(g, NORMAL, 5, 3), leaf(g, NORMAL, 4, 3), leaf(g, NORMAL, 4)),
                xs -> Functional.linear(xs.get(0), xs.get(1), xs.get(2)).tanh().add(Functional.linear(xs.get(0), xs.get(1), null)));
        add(cs, "MLP 2-layer tanh, output", GradcheckOpsTest::mlpInputs,
                xs -> mlp(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4)));
        add(cs, "MLP 2-layer tanh, softmax cross-entropy (logSoftmax + gather)", GradcheckOpsTest::mlpInputs,
                xs -> crossEntropy(mlp(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4)), LABELS));
        // ∇ₓ of a network output, itself checked to first and second order (third derivatives of the net).
        add(cs, "∇ₓ of MLP output (grad transform), w.r.t. x and weights", GradcheckOpsTest::mlpInputs,
                xs -> Autograd.grad((Tensor x) -> mlp(x, xs.get(1), xs.get(2), xs.get(3), xs.get(4)).softmax(1).select(1, 0).sum())
                        .apply(xs.get(0)));
        add(cs, "∇ₓ of cross-entropy loss (Autograd.grad, createGraph)", GradcheckOpsTest::mlpInputs, xs -> {
            try (var mode = GradMode.set(true)) {
                Tensor x = xs.get(0).requiresGrad() ? xs.get(0) : xs.get(0).detach().requiresGrad(true);
                Tensor loss = crossEntropy(mlp(x, xs.get(1), xs.get(2), xs.get(3), xs.get(4)), LABELS);
                return Autograd.grad(loss, x, true);
            }
        });
        add(cs, "layer norm (x − mean)/sqrt(var + eps)·γ + β", g -> List.of(leaf(g, NORMAL, 3, 5), leaf(g, NORMAL, 5), leaf(g, NORMAL, 5)),
                xs -> {
                    Tensor x = xs.get(0);
                    Tensor norm = x.sub(x.mean(1, true)).div(x.var(new int[] {1}, 0, true).add(1e-5).sqrt());
                    return norm.mul(xs.get(1)).add(xs.get(2));
                });
        add(cs, "attention softmax(QKᵀ/√d)·V", g -> List.of(leaf(g, NORMAL, 3, 2), leaf(g, NORMAL, 4, 2), leaf(g, NORMAL, 4, 2)),
                xs -> xs.get(0).matmul(xs.get(1).t()).div(Math.sqrt(2)).softmax(-1).matmul(xs.get(2)));
        add(cs, "mse of sigmoid regression with leakyRelu hidden", g -> List.of(leaf(g, NONZERO, 4, 3), leaf(g, NORMAL, 3, 2), leaf(g, NORMAL, 4, 2)),
                xs -> xs.get(0).leakyRelu(0.2).matmul(xs.get(1)).sigmoid().sub(xs.get(2)).square().mean());
    }

    // ------------------------------------------------------------------ toType (float32 in the middle)

    @Test
    void toTypeThroughFloat32() {
        // A round trip through float32 loses precision, so finite differences need a large step;
        // the map is linear, so a large step is exact up to float32 rounding.
        Tensor x = leaf(new Generator(11), NORMAL, 3, 4);
        Function<List<Tensor>, Tensor> f = xs -> xs.get(0).toType(DType.FLOAT32).mul(3).toType(F64);
        Gradcheck.Result r = Gradcheck.check(f, List.of(x), 1e-2, 1e-4, 1e-4);
        assertTrue(r.passed(), r.toString());
        Tensor g = Autograd.grad(f.apply(List.of(x)).sum(), x, false);
        assertEquals(F64, g.dtype(), "the gradient comes back in the input's type");
        assertTrue(g.allClose(Tensor.full(F64, 3, 3, 4), 0, 0), g.toString());
        Tensor x32 = Tensor.randn(new Generator(12), 2, 3).requiresGrad(true);
        Tensor g32 = Autograd.grad(x32.toType(F64).square().sum(), x32, false);
        assertEquals(DType.FLOAT32, g32.dtype());
        assertTrue(g32.allClose(x32.detach().mul(2), 1e-6, 1e-6));
    }

    // ------------------------------------------------------------------ Autograd transforms

    @Test
    void gradientWithRespectToAnIntermediate() {
        Generator gen = new Generator(21);
        Tensor x = leaf(gen, NORMAL, 4, 3), w = leaf(gen, NORMAL, 3, 2);
        Tensor h = x.matmul(w);
        Tensor y = h.tanh().sum();
        Tensor dh = Autograd.grad(y, h, false);
        Tensor expected = h.detach().tanh().square().rsub(1);
        assertTrue(dh.allClose(expected, 1e-12, 1e-12), "d sum(tanh h)/dh = 1 − tanh²h, got " + dh);
    }

    @Test
    void hessianOfQuadraticIsAPlusATransposed() {
        Generator gen = new Generator(31);
        Tensor a = Tensor.randn(gen, F64, 4, 4), b = Tensor.randn(gen, F64, 4), c = Tensor.scalar(F64, 0.7);
        UnaryOperator<Tensor> f = x -> x.matmul(a.matmul(x)).add(b.matmul(x)).add(c);
        Tensor x = Tensor.randn(gen, F64, 4);
        Tensor h = Autograd.hessian(f, x);
        assertEquals(List.of(4, 4), Arrays.stream(h.shape()).boxed().toList());
        assertTrue(h.allClose(a.add(a.t()), 1e-12, 1e-12), "Hessian of xᵀAx + bᵀx + c must be A + Aᵀ, got " + h);
        // and the gradient is (A + Aᵀ)x + b
        Tensor grad = Autograd.grad(f).apply(x);
        assertTrue(grad.allClose(a.add(a.t()).matmul(x).add(b), 1e-12, 1e-12));
    }

    @Test
    void hvpEqualsHessianTimesVector() {
        Generator gen = new Generator(41);
        Tensor a = Tensor.randn(gen, F64, 5, 5);
        UnaryOperator<Tensor> f = x -> x.tanh().pow(3).sum().add(x.matmul(a.matmul(x.sin())));
        Tensor x = Tensor.randn(gen, F64, 5), v = Tensor.randn(gen, F64, 5);
        Tensor hv = Autograd.hvp(f, x, v);
        Tensor expected = Autograd.hessian(f, x).matmul(v);
        assertTrue(hv.allClose(expected, 1e-10, 1e-12), "hvp " + hv + " vs H·v " + expected);
        // and a Hessian of a smooth scalar function is symmetric
        Tensor h = Autograd.hessian(f, x);
        assertTrue(h.allClose(h.t(), 1e-10, 1e-12));
    }

    @Test
    void gradOfGradOfCubeIsSixX() {
        UnaryOperator<Tensor> cube = x -> x.pow(3).sum();
        // 0-d input: grad(grad(f)) applies directly
        Tensor x0 = Tensor.scalar(F64, 1.7);
        Tensor d2 = Autograd.grad(Autograd.grad(cube)).apply(x0);
        assertEquals(6 * 1.7, d2.item(), 1e-12);
        // vector input: the second derivative of Σx³ summed is 6x per element
        Tensor x = Tensor.randn(new Generator(51), F64, 5);
        UnaryOperator<Tensor> first = Autograd.grad(cube);
        Tensor second = Autograd.grad((Tensor t) -> first.apply(t).sum()).apply(x);
        assertTrue(second.allClose(x.mul(6), 1e-12, 1e-12), "expected 6x, got " + second);
        // third order: d³(x³)/dx³ = 6
        Tensor third = Autograd.grad((Tensor t) -> Autograd.grad((Tensor u) -> Autograd.grad(cube).apply(u).sum()).apply(t).sum()).apply(x);
        assertTrue(third.allClose(Tensor.full(F64, 6, 5), 1e-12, 1e-12), "expected 6, got " + third);
    }

    @Test
    void jacobianMatchesFiniteDifferences() {
        UnaryOperator<Tensor> f = x -> Tensor.stack(List.of(
                x.select(0, 0).mul(x.select(0, 1)),
                x.select(0, 2).sin().add(x.select(0, 0).square()),
                x.exp().sum().log()), 0);
        Tensor x = Tensor.randn(new Generator(61), F64, 3);
        Tensor j = Autograd.jacobian(f, x);
        assertEquals(List.of(3, 3), Arrays.stream(j.shape()).boxed().toList());
        double eps = 1e-6;
        for (int c = 0; c < 3; c++) {
            Tensor plus = x.copy(), minus = x.copy();
            plus.set(x.get(c) + eps, c);
            minus.set(x.get(c) - eps, c);
            Tensor col = f.apply(plus).sub(f.apply(minus)).div(2 * eps);
            for (int r = 0; r < 3; r++) {
                assertEquals(col.get(r), j.get(r, c), 1e-7, "jacobian entry [" + r + ", " + c + "]");
            }
        }
        // a matrix-valued map: out.shape ++ x.shape
        Tensor m = Tensor.randn(new Generator(62), F64, 2, 3);
        Tensor jm = Autograd.jacobian(t -> t.matmul(m), Tensor.randn(new Generator(63), F64, 4, 2));
        assertEquals(List.of(4, 3, 4, 2), Arrays.stream(jm.shape()).boxed().toList());
        assertEquals(m.get(1, 2), jm.get(3, 2, 3, 1), 1e-15);
        assertEquals(0, jm.get(3, 2, 2, 1), 0);
    }

    // ------------------------------------------------------------------ the checker checks

    /** sin(x·1) whose intermediate's gradient is doubled by a hook: a deliberately wrong derivative. */
    private static Tensor doubledByHook(List<Tensor> xs) {
        Tensor h = xs.get(0).mul(1.0);
        if (h.requiresGrad()) h.registerHook(g -> g.mul(2));
        return h.sin();
    }

    @Test
    void gradcheckFailsOnAWrongDerivative() {
        Tensor x = leaf(new Generator(71), NORMAL, 2, 3);
        Gradcheck.Result honest = Gradcheck.check(xs -> xs.get(0).mul(1.0).sin(), List.of(x));
        assertTrue(honest.passed(), "without the hook: " + honest);
        Gradcheck.Result wrong = Gradcheck.check(GradcheckOpsTest::doubledByHook, List.of(x));
        assertFalse(wrong.passed(), "the hook doubles the gradient, gradcheck must fail: " + wrong);
        assertTrue(wrong.maxAbsError() > 0.1, wrong.toString());
        assertThrows(AssertionError.class, () -> Gradcheck.assertGradients(GradcheckOpsTest::doubledByHook, List.of(x), false));
    }

    @Test
    void secondOrderGradcheckFailsOnAWrongSecondDerivative() {
        // First derivative right, second wrong: the hook keeps the gradient's value but doubles
        // its own derivative (g + (g − detach(g))), so only derivatives of derivatives are off.
        Tensor x = leaf(new Generator(72), NORMAL, 2, 3);
        Function<List<Tensor>, Tensor> f = xs -> {
            Tensor h = xs.get(0).mul(1.0);
            if (h.requiresGrad()) h.registerHook(g -> g.add(g.sub(g.detach())));
            return h.sin();
        };
        Gradcheck.Result first = Gradcheck.check(f, List.of(x));
        assertTrue(first.passed(), "first order should pass: " + first);
        Gradcheck.Result second = Gradcheck.checkSecondOrder(f, List.of(x));
        assertFalse(second.passed(), "second order must catch the doubled derivative: " + second);
    }
}
