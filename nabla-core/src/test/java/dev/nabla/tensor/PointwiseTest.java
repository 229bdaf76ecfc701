package dev.nabla.tensor;

import static dev.nabla.tensor.TensorAssert.assertContentEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.kernel.KernelProvider;
import dev.nabla.kernel.Parallel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The fused pass gives bitwise what the tensor ops written out give, on any thread count. */
class PointwiseTest {
    /** An expression, and the same computation written with tensor ops. */
    private record Case(String name, int arity, Function<Pointwise.Expr[], Pointwise.Expr> fused,
                        Function<Tensor[], Tensor> ops) {}

    private static final List<Case> CASES = List.of(
            new Case("the bench's chain", 4, v -> v[0].mul(v[1]).add(v[2]).tanh().mul(v[3]),
                    t -> t[0].mul(t[1]).add(t[2]).tanh().mul(t[3])),
            new Case("every unary", 1, v -> v[0].exp().log().abs().sqrt().sigmoid().tanh().relu().sin().cos(),
                    t -> t[0].exp().log().abs().sqrt().sigmoid().tanh().relu().sin().cos()),
            new Case("every binary, constants", 2,
                    v -> v[0].sub(v[1]).div(v[1].add(3)).maximum(v[0]).minimum(v[1].mul(0.5)).pow(2).sub(0.25).div(1.5).neg(),
                    t -> t[0].sub(t[1]).div(t[1].add(3)).maximum(t[0]).minimum(t[1].mul(0.5)).pow(2).sub(0.25).div(1.5).neg()),
            new Case("shared subexpressions", 2, v -> {
                Pointwise.Expr s = v[0].mul(v[1]).sigmoid();
                return s.mul(s.sub(1).neg()).add(s.square()).mul(v[0].exp().add(s));
            }, t -> {
                Tensor s = t[0].mul(t[1]).sigmoid();
                return s.mul(s.sub(1).neg()).add(s.square()).mul(t[0].exp().add(s));
            }),
            new Case("nan, infinities and zeros", 2, v -> v[0].div(v[1]).log().exp().mul(v[1].relu()),
                    t -> t[0].div(t[1]).log().exp().mul(t[1].relu())));

    private static Tensor[] inputs(int arity, DType dt, int n, long seed) {
        Generator g = new Generator(seed);
        Tensor[] t = new Tensor[arity];
        for (int i = 0; i < arity; i++) t[i] = Tensor.randn(g, dt, n).mul(3);
        return t;
    }

    private static Tensor withThreads(int threads, java.util.function.Supplier<Tensor> f) {
        int old = Parallel.threads();
        try {
            Parallel.setThreads(threads);
            return f.get();
        } finally {
            Parallel.setThreads(old);
        }
    }

    @Test
    void fusedEqualsTheOpsBitwise() {
        // sizes around the chunk (128) and the parallel grain (32768)
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int n : new int[] {0, 1, 17, 127, 128, 129, 1025, 5000, 32768, 70001}) {
                for (Case c : CASES) {
                    Tensor[] x = inputs(c.arity, dt, n, n + 7);
                    Pointwise p = Pointwise.of(c.arity, c.fused);
                    Tensor expected = c.ops.apply(x);
                    for (int threads : new int[] {1, 2}) {
                        Tensor got = withThreads(threads, () -> p.apply(x));
                        assertContentEquals(expected, got, c.name + ", " + dt + ", n = " + n + ", " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void compiledLoopEqualsTheOpsBitwise() {
        // taken at once (compileNow), not after a warm-up that may outlast the test: the sizes around
        // the vector length, the chunk and the parallel grain
        for (int n : new int[] {1, 7, 8, 9, 17, 127, 128, 129, 1025, 5000, 32768, 70001}) {
            for (Case c : CASES) {
                Tensor[] x = inputs(c.arity, DType.FLOAT32, n, n + 13);
                Pointwise p = Pointwise.of(c.arity, c.fused);
                p.compileNow(x);
                Tensor expected = c.ops.apply(x);
                for (int threads : new int[] {1, 2}) {
                    Tensor got = withThreads(threads, () -> p.apply(x));
                    assertContentEquals(expected, got, c.name + ", compiled, n = " + n + ", " + threads + " threads");
                }
            }
        }
    }

    @Test
    void theWarmUpEndsAndTheCallsGiveTheSameBits() throws Exception {
        // an expression of its own: a loop warmed here would be the one CASES' chain finds
        Tensor[] x = inputs(4, DType.FLOAT32, 3000, 21);
        Pointwise chain = Pointwise.of(4, v -> v[0].mul(v[1]).add(v[2]).tanh().mul(v[3]).add(0.5));
        Tensor before = chain.apply(x); // chunked steps: 3000 elements start no warm-up
        chain.warmUp(x).get(60, TimeUnit.SECONDS); // the loop, or none if it never kept up (a busy machine)
        assertContentEquals(before, chain.apply(x));
        assertContentEquals(x[0].mul(x[1]).add(x[2]).tanh().mul(x[3]).add(0.5), before);
        Pointwise sine = Pointwise.of(1, v -> v[0].sin().mul(v[0]));
        assertTrue(sine.warmUp(x[0]).get(60, TimeUnit.SECONDS).isEmpty(), "sin is not staged: no loop");
    }

    @Test
    void aWarmUpThatGivesUpIsTriedAgainAfterMoreElements() throws Exception {
        long deadline = Pointwise.warmNanos;
        Pointwise.warmNanos = 0; // gives up after its untimed calls
        try {
            Tensor[] x = inputs(2, DType.FLOAT32, 1 << 20, 23);
            Pointwise p = Pointwise.of(2, v -> v[0].mul(v[1]).tanh().add(0.125));
            Tensor expected = x[0].mul(x[1]).tanh().add(0.125);
            assertContentEquals(expected, p.apply(x)); // a million elements: starts the warm-up
            CompletableFuture<?> first = p.warmUp(x);
            assertEquals(Optional.empty(), first.get(60, TimeUnit.SECONDS));
            // the Panama kernels stage it, so that warm-up gave up; the scalar ones do not: it ended
            boolean staged = KernelProvider.get().simd();
            assertEquals(staged, p.warmUp(x) != first, "a new warm-up after a given-up one, at once when asked");
            assertContentEquals(expected, p.apply(x));
        } finally {
            Pointwise.warmNanos = deadline;
        }
    }

    @Test
    void expressionsMadeAnewShareTheirProgramsLoop() {
        Tensor[] x = inputs(2, DType.FLOAT32, 100, 22);
        Tensor s = Tensor.of(new float[] {2f}, 1);
        Pointwise a = Pointwise.of(2, v -> v[0].mul(v[1]).sigmoid().sub(0.25)), b = Pointwise.of(2, v -> v[0].mul(v[1]).sigmoid().sub(0.25));
        assertSame(a.warmUp(x), b.warmUp(x), "one warm-up for the program");
        assertNotSame(a.warmUp(x), a.warmUp(x[0], s), "a single-value input is another program");
        Pointwise c = Pointwise.of(2, v -> v[0].mul(v[1]).sigmoid().sub(0.5));
        assertNotSame(a.warmUp(x), c.warmUp(x), "another constant is another program");
    }

    @Test
    void specialValuesAsTheOps() {
        float[] a = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-40f, 88.8f, -104f};
        float[] b = {0f, 2f, -0f, Float.NaN, 1f, Float.POSITIVE_INFINITY, -3f, 1e-40f, -1e-45f, 5f};
        Tensor x = Tensor.of(a, a.length), y = Tensor.of(b, b.length);
        for (Case c : CASES) {
            if (c.arity != 2) continue;
            assertContentEquals(c.ops.apply(new Tensor[] {x, y}), Pointwise.of(2, c.fused).apply(x, y), c.name);
        }
    }

    @Test
    void singleValuesBroadcast() {
        Tensor x = Tensor.randn(new Generator(1), 3000), s = Tensor.of(new float[] {0.75f}), s0 = Tensor.of(new float[] {2f}, new int[0]);
        Pointwise p = Pointwise.of(3, v -> v[0].mul(v[1]).add(v[2]).tanh());
        assertContentEquals(x.mul(s).add(s0).tanh(), p.apply(x, s, s0));
        assertContentEquals(s.mul(x).add(s0).tanh(), p.apply(s, x, s0));
        p.compileNow(x, s, s0); // a loop per pattern of single values
        p.compileNow(s, x, s0);
        assertContentEquals(x.mul(s).add(s0).tanh(), p.apply(x, s, s0));
        assertContentEquals(s.mul(x).add(s0).tanh(), p.apply(s, x, s0));
    }

    @Test
    void contiguousViewsAtAnOffsetAreFused() {
        Tensor big = Tensor.randn(new Generator(5), 3, 5000);
        Tensor a = big.slice(0, 1, 2, 1).reshape(5000), b = big.slice(0, 2, 3, 1).reshape(5000); // offsets 5000 and 10000
        assertTrue(a.isContiguous() && b.isContiguous());
        Pointwise p = Pointwise.of(2, v -> v[0].sub(v[1]).sigmoid().mul(v[1]));
        assertContentEquals(a.sub(b).sigmoid().mul(b), p.apply(a, b));
        p.compileNow(a, b);
        assertContentEquals(a.sub(b).sigmoid().mul(b), p.apply(a, b));
    }

    @Test
    void stridedBroadcastAndMixedInputsRunTheOps() {
        Generator g = new Generator(2);
        Tensor m = Tensor.randn(g, 40, 30), col = Tensor.randn(g, 40, 1), row = Tensor.randn(g, 30);
        Pointwise p = Pointwise.of(2, v -> v[0].mul(v[1]).add(v[0]).exp());
        assertContentEquals(m.t().mul(row.reshape(30, 1)).add(m.t()).exp(), p.apply(m.t(), row.reshape(30, 1)));
        assertContentEquals(m.mul(col).add(m).exp(), p.apply(m, col));
        Tensor d = Tensor.randn(g, DType.FLOAT64, 40, 30);
        assertContentEquals(m.mul(d).add(m).exp(), p.apply(m, d)); // float32 with float64 promotes, as the ops do
    }

    @Test
    void gradientsAsTheOps() {
        Generator g = new Generator(3);
        Tensor a = Tensor.randn(g, DType.FLOAT64, 50).requiresGrad(true), b = Tensor.randn(g, DType.FLOAT64, 50).requiresGrad(true);
        Tensor c = Tensor.randn(g, DType.FLOAT64, 50);
        Pointwise p = Pointwise.of(3, v -> v[0].mul(v[1]).add(v[2]).tanh().mul(v[0]).sigmoid());
        p.apply(a, b, c).sum().backward();
        Tensor ga = a.grad(), gb = b.grad();
        Tensor a2 = a.detach().requiresGrad(true), b2 = b.detach().requiresGrad(true);
        a2.mul(b2).add(c).tanh().mul(a2).sigmoid().sum().backward();
        assertContentEquals(a2.grad(), ga);
        assertContentEquals(b2.grad(), gb);
        try (var s = GradMode.noGrad()) {  // no recording: the fused pass, same values
            assertContentEquals(a.mul(b).add(c).tanh().mul(a).sigmoid(), p.apply(a, b, c));
        }
    }

    @Test
    void applyIntoWritesApplysValuesIntoOut() {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int n : new int[] {0, 1, 129, 70001}) {
                for (Case c : CASES) {
                    Tensor[] x = inputs(c.arity, dt, n, n + 11);
                    Pointwise p = Pointwise.of(c.arity, c.fused);
                    Tensor expected = p.apply(x), out = Tensor.zeros(dt, n);
                    for (int threads : new int[] {1, 2}) {
                        assertSame(out, withThreads(threads, () -> p.applyInto(out, x)));
                        assertContentEquals(expected, out, c.name + ", " + dt + ", n = " + n + ", " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void applyIntoARowLeavesTheOthersAsTheyWere() {
        Tensor big = Tensor.randn(new Generator(6), 3, 5000), before = big.copy();
        Tensor a = Tensor.randn(new Generator(7), 5000), b = Tensor.randn(new Generator(8), 5000);
        Pointwise p = Pointwise.of(2, v -> v[0].sub(v[1]).sigmoid().mul(v[1]));
        p.compileNow(a, b);
        p.applyInto(big.slice(0, 1, 2, 1).reshape(5000), a, b); // a contiguous view at offset 5000
        assertContentEquals(p.apply(a, b), big.slice(0, 1, 2, 1).reshape(5000));
        assertContentEquals(before.slice(0, 0, 1, 1), big.slice(0, 0, 1, 1));
        assertContentEquals(before.slice(0, 2, 3, 1), big.slice(0, 2, 3, 1));
    }

    @Test
    void applyIntoAnInputUpdatesItInPlace() {
        for (boolean compiled : new boolean[] {false, true}) {
            Tensor[] x = inputs(4, DType.FLOAT32, 70001, 9);
            Pointwise chain = Pointwise.of(4, CASES.get(0).fused);
            if (compiled) chain.compileNow(x);
            Tensor expected = chain.apply(x);
            chain.applyInto(x[0], x);
            assertContentEquals(expected, x[0], compiled ? "compiled" : "chunked");
        }
    }

    @Test
    void applyIntoRunsTheOpsForWhatItDoesNotFuse() {
        Generator g = new Generator(2);
        Tensor m = Tensor.randn(g, 40, 30), col = Tensor.randn(g, 40, 1), out = Tensor.zeros(40, 30);
        Pointwise p = Pointwise.of(2, v -> v[0].mul(v[1]).add(v[0]).exp());
        assertContentEquals(p.apply(m, col), p.applyInto(out, m, col));
        assertContentEquals(m, Pointwise.of(2, v -> v[0]).applyInto(Tensor.zeros(40, 30), m, col)); // an input alone: copied
    }

    @Test
    void applyIntoRefusesWithTheReason() {
        Pointwise p = Pointwise.of(2, v -> v[0].mul(v[1]).tanh());
        Tensor a = Tensor.randn(new Generator(1), 6, 5), b = Tensor.randn(new Generator(2), 6, 5);
        var shape = assertThrows(IllegalArgumentException.class, () -> p.applyInto(Tensor.zeros(5, 6), a, b));
        assertEquals("Pointwise.applyInto: out is [5, 6], the inputs give [6, 5]", shape.getMessage());
        var type = assertThrows(IllegalArgumentException.class, () -> p.applyInto(Tensor.zeros(DType.FLOAT64, 6, 5), a, b));
        assertTrue(type.getMessage().contains("out is float64, the result float32"), type.getMessage());
        var strided = assertThrows(IllegalArgumentException.class, () -> p.applyInto(Tensor.zeros(5, 6).t(), a, b));
        assertTrue(strided.getMessage().contains("not contiguous"), strided.getMessage());
        var expanded = assertThrows(IllegalStateException.class, () -> p.applyInto(Tensor.zeros(1, 5).expand(6, 5), a, b));
        assertTrue(expanded.getMessage().contains("expanded view"), expanded.getMessage());
        Tensor flat = Tensor.randn(new Generator(3), 31);
        Tensor head = flat.slice(0, 0, 30, 1).reshape(6, 5), tail = flat.slice(0, 1, 31, 1).reshape(6, 5);
        var overlap = assertThrows(IllegalArgumentException.class, () -> p.applyInto(head, tail, b));
        assertTrue(overlap.getMessage().contains("input 0 [6, 5] shares memory with out"), overlap.getMessage());
        Tensor w = Tensor.randn(new Generator(4), 6, 5).requiresGrad(true);
        var grad = assertThrows(IllegalStateException.class, () -> p.applyInto(Tensor.zeros(6, 5), w, b));
        assertTrue(grad.getMessage().contains("input 0 requires grad"), grad.getMessage());
        var leaf = assertThrows(IllegalStateException.class, () -> p.applyInto(w, a, b));
        assertTrue(leaf.getMessage().contains("requires grad"), leaf.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> p.applyInto(null, a, b));
        assertEquals("Pointwise.applyInto: out is null", none.getMessage());
        try (var s = GradMode.noGrad()) { // not recording: an update of a leaf in place, as an optimizer's
            assertContentEquals(p.apply(a, b), p.applyInto(w, a, b));
        }
    }

    @Test
    void applyIntoATensorTheTapeSavedIsCaught() {
        Tensor w = Tensor.randn(new Generator(5), 8).requiresGrad(true), x = Tensor.randn(new Generator(6), 8);
        Tensor loss = x.mul(w).sum(); // the product saves x for w's gradient
        Pointwise.of(1, v -> v[0].exp()).applyInto(x, x);
        var stale = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(stale.getMessage().contains("modified in place"), stale.getMessage());
    }

    @Test
    void anInputAloneIsReturned() {
        Tensor x = Tensor.randn(new Generator(4), 5);
        assertSame(x, Pointwise.of(2, v -> v[1]).apply(Tensor.zeros(5), x));
    }

    @Test
    void badUseIsRefusedWithTheReason() {
        var arity = assertThrows(IllegalArgumentException.class, () -> Pointwise.of(0, v -> null));
        assertTrue(arity.getMessage().contains("arity 0"), arity.getMessage());
        var nothing = assertThrows(IllegalArgumentException.class, () -> Pointwise.of(1, v -> null));
        assertTrue(nothing.getMessage().contains("returned null"), nothing.getMessage());
        Pointwise.Expr[] other = new Pointwise.Expr[1];
        Pointwise.of(1, v -> other[0] = v[0].exp());
        var mixed = assertThrows(IllegalArgumentException.class, () -> Pointwise.of(1, v -> v[0].add(other[0])));
        assertTrue(mixed.getMessage().contains("two Pointwise"), mixed.getMessage());
        var foreign = assertThrows(IllegalArgumentException.class, () -> Pointwise.of(1, v -> other[0]));
        assertTrue(foreign.getMessage().contains("another Pointwise"), foreign.getMessage());
        Pointwise p = Pointwise.of(2, v -> v[0].add(v[1]));
        var count = assertThrows(IllegalArgumentException.class, () -> p.apply(Tensor.zeros(3)));
        assertEquals("Pointwise.apply: takes 2 tensors, got 1", count.getMessage());
        var shapes = assertThrows(IllegalArgumentException.class, () -> p.apply(Tensor.zeros(3), Tensor.zeros(4)));
        assertTrue(shapes.getMessage().contains("Pointwise.apply") && shapes.getMessage().contains("[3]")
                && shapes.getMessage().contains("[4]"), shapes.getMessage());
        var labels = assertThrows(IllegalArgumentException.class, () -> p.apply(Tensor.of(new long[] {1, 2}, 2), Tensor.zeros(2)));
        assertTrue(labels.getMessage().contains("int64"), labels.getMessage());
    }
}
