package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.internal.Internals;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The fused Adam step gives bitwise the numbers of the composite tensor ops, in float32 and float64. */
class FusedAdamTest {
    private static Optimizer.State state(Tensor m, Tensor v) {
        Optimizer.State s = new Optimizer.State(2);
        s.setBuffer(0, m);
        s.setBuffer(1, v);
        return s;
    }

    private static void check(DType dt, int n, double lr, double eps) {
        check(dt, n, lr, eps, 1, 1);
    }

    /**
     * Five steps from first and second moments scaled by mScale and vScale (1e-39: subnormal
     * float32 moments); with subnormal first moments, the gradients are mostly 0.
     */
    private static void check(DType dt, int n, double lr, double eps, double mScale, double vScale) {
        Generator gen = new Generator(n);
        Tensor p0 = Tensor.randn(gen, dt, n), m0 = Tensor.randn(gen, dt, n).mul(0.1 * mScale);
        Tensor v0 = Tensor.rand(gen, dt, n).mul(0.01 * vScale);
        Tensor pa = p0.copy(), ma = m0.copy(), va = v0.copy(), pb = p0.copy(), mb = m0.copy(), vb = v0.copy();
        Optimizer.State a = state(ma, va), b = state(mb, vb);
        try (var scope = GradMode.noGrad()) {
            for (long step = 1; step <= 5; step++) {
                Tensor g = Tensor.randn(gen, dt, n).mul(step == 3 ? 1e-20 : 1); // also tiny gradients (denormal squares)
                if (vScale < 1) g = g.mul(Tensor.rand(gen, dt, n).lt(0.2).toType(dt).mul(1e-39)); // mostly 0, else subnormal
                else if (mScale < 1) g = g.mul(Tensor.rand(gen, dt, n).lt(0.1).toType(dt)); // a unit that rarely fires
                Adam.adamStep(pa, g, a, step, lr, 0.9, 0.999, eps, false);
                Adam.adamStepComposite(pb, g, b, step, lr, 0.9, 0.999, eps, false);
            }
        }
        assertArrayEquals(pb.toDoubleArray(), pa.toDoubleArray(), dt + " parameters");
        assertArrayEquals(mb.toDoubleArray(), ma.toDoubleArray(), dt + " first moments");
        assertArrayEquals(vb.toDoubleArray(), va.toDoubleArray(), dt + " second moments");
    }

    @Test
    void fusedEqualsCompositeBitwise() {
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            check(dt, 1, 1e-3, 1e-8);
            check(dt, 1000, 1e-2, 1e-8);
            check(dt, 200_003, 3e-4, 0); // several chunks of the pool, eps 0
        }
    }

    @Test
    void fusedEqualsCompositeOnSubnormalMoments() {
        // subnormal moments and gradients, as in training (a unit that stopped firing): the same bits
        check(DType.FLOAT32, 1000, 1e-3, 1e-8, 1e-39, 1e-39);
        check(DType.FLOAT32, 1003, 1e-2, 0, 1e-39, 1e-39);
        // only the first moments subnormal (a dead unit's)
        check(DType.FLOAT32, 1000, 1e-3, 1e-8, 1e-39, 1);
        check(DType.FLOAT32, 1003, 1e-2, 0, 1e-39, 1);
    }

    @Test
    void fusedDeclinesWhatItDoesNotCover() {
        Tensor p = Tensor.zeros(4, 3), g = Tensor.ones(4, 3), m = Tensor.zeros(4, 3), v = Tensor.zeros(4, 3);
        try (var scope = GradMode.noGrad()) {
            assertFalse(Internals.get().adamStep(p.t(), g.t(), m.t(), v.t(), 0.9, 0.999, 1, 1e-8, 1e-3), "strided views");
            assertFalse(Internals.get().adamStep(p, g.toType(DType.FLOAT64), m, v, 0.9, 0.999, 1, 1e-8, 1e-3), "mixed types");
            assertFalse(Internals.get().adamStep(p, g, m, m, 0.9, 0.999, 1, 1e-8, 1e-3), "shared buffers");
            Tensor p64 = p.toType(DType.FLOAT64);
            assertFalse(Internals.get().adamStep(p64, g.toType(DType.FLOAT64), m.toType(DType.FLOAT64), v.toType(DType.FLOAT64),
                    0.9, 0.999, 1, 1e-8, 1e-3), "float64 (the composite ops)");
            assertArrayEquals(new double[12], p64.toDoubleArray(), "nothing changed in float64");
        }
        assertArrayEquals(new float[12], p.toFloatArray(), "nothing changed");
    }
}
