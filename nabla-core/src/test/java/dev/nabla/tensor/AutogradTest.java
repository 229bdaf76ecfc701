package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Autograd;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The behaviour of the tape: backward, accumulation, scopes, hooks, versions, higher order. */
class AutogradTest {
    private static Tensor leaf(double... v) {
        return Tensor.of(v).requiresGrad(true);
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message should contain \"" + p + "\": " + e.getMessage());
        }
    }

    @Test
    void backwardOnAScalar() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(x).sum(); // Σ x²
        assertTrue(y.requiresGrad());
        assertFalse(y.isLeaf());
        assertEquals("sum", y.gradFn());
        y.backward();
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray());
        assertTrue(x.isLeaf());
        assertNull(x.gradFn());
        assertFalse(x.grad().requiresGrad(), "a plain backward records no graph for the gradient");
    }

    @Test
    void backwardIntoSomeInputsOnly() {
        // two "models" in a row, as a GAN's generator update goes through the discriminator
        Tensor a = leaf(1, 2), b = leaf(3, -1);
        Tensor y = a.mul(a).mul(b).sum(); // Σ a²·b
        y.backward(List.of(a));
        assertArrayEquals(new double[] {6, -4}, a.grad().toDoubleArray(), "d/da = 2ab");
        assertNull(b.grad(), "b is not an input: the pass skips its derivative");
        // accumulates as backward() does, and equals the full pass's gradient
        Tensor a2 = leaf(1, 2), b2 = leaf(3, -1);
        a2.mul(a2).mul(b2).sum().backward();
        a.mul(a).mul(b).sum().backward(List.of(a, b));
        assertArrayEquals(new double[] {12, -8}, a.grad().toDoubleArray());
        assertArrayEquals(b2.grad().toDoubleArray(), b.grad().toDoubleArray());
        assertMessage(assertThrows(IllegalArgumentException.class, () -> a.mul(b).sum().backward(List.of(Tensor.of(new double[] {1})))),
                "backward: input 0", "does not require grad");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> a.mul(b).sum().backward(List.of())),
                "backward: inputs is empty");
    }

    @Test
    void backwardWithGradientOnANonScalar() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(x); // vector
        y.backward(Tensor.of(new double[] {1, 0.5, -1}));
        assertArrayEquals(new double[] {2, 2, -6}, x.grad().toDoubleArray(), "vᵀJ = v·2x");
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        w.mul(3).backward(Tensor.ones(2, 2));
        assertArrayEquals(new float[] {3, 3, 3, 3}, w.grad().toFloatArray());
        assertArrayEquals(new int[] {2, 2}, w.grad().shape());
    }

    @Test
    void gradientsAccumulateAndSetGradNullClears() {
        Tensor x = leaf(1, 2);
        x.mul(3).sum().backward();
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {3 + 2, 3 + 4}, x.grad().toDoubleArray(), "two backward calls add up");
        x.setGrad(null);
        assertNull(x.grad());
        x.mul(5).sum().backward();
        assertArrayEquals(new double[] {5, 5}, x.grad().toDoubleArray());
        // zeroing in place also works, inside noGrad as an optimizer would
        try (var s = GradMode.noGrad()) {
            x.grad().zero();
        }
        x.sum().backward();
        assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = leaf(2, 3);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertSame(x.storage, d.storage, "detach shares the data");
        Tensor y = x.mul(d).sum(); // d/dx of x·c with c = x held constant is c
        y.backward();
        assertArrayEquals(new double[] {2, 3}, x.grad().toDoubleArray());
        assertFalse(x.mul(2).detach().requiresGrad());
    }

    @Test
    void noGradScopesNestAndRestore() {
        Tensor x = leaf(1);
        assertTrue(GradMode.isEnabled());
        try (var outer = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            assertFalse(x.mul(2).requiresGrad(), "nothing is recorded");
            try (var inner = GradMode.set(true)) {
                assertTrue(GradMode.isEnabled());
                assertTrue(x.mul(2).requiresGrad());
                try (var innermost = GradMode.noGrad()) {
                    assertFalse(GradMode.isEnabled());
                }
                assertTrue(GradMode.isEnabled(), "restored to the enclosing scope's mode");
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        try (var s = Autograd.noGrad()) {
            assertFalse(GradMode.isEnabled());
        }
        // restored even when the body throws
        assertThrows(IllegalStateException.class, () -> {
            try (var s = GradMode.noGrad()) {
                throw new IllegalStateException("boom");
            }
        });
        assertTrue(GradMode.isEnabled());
        assertTrue(x.mul(2).requiresGrad());
    }

    @Test
    void retainGraph() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp().sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertMessage(e, "second time", "retainGraph");

        Tensor z = x.mul(x).sum();
        x.setGrad(null);
        z.backward(null, true, false);
        z.backward(null, true, false);
        assertArrayEquals(new double[] {4, 8}, x.grad().toDoubleArray(), "two backward passes accumulate");
        z.backward(); // the last one may free the graph
        assertArrayEquals(new double[] {6, 12}, x.grad().toDoubleArray());
        assertThrows(IllegalStateException.class, z::backward);
    }

    @Test
    void hooksObserveAndReplace() {
        Tensor x = leaf(1, 2, 3);
        List<Tensor> seen = new ArrayList<>();
        x.registerHook(g -> {
            seen.add(g);
            return null; // observe only
        });
        x.mul(2).sum().backward();
        assertEquals(1, seen.size());
        assertArrayEquals(new double[] {2, 2, 2}, seen.get(0).toDoubleArray());
        assertArrayEquals(new double[] {2, 2, 2}, x.grad().toDoubleArray());

        Tensor w = leaf(1, 2);
        w.registerHook(g -> g.mul(10)); // replace
        w.mul(w).sum().backward();
        assertArrayEquals(new double[] {20, 40}, w.grad().toDoubleArray());

        // a hook on a non-leaf changes what flows further down
        Tensor a = leaf(1, 2);
        Tensor h = a.mul(3);
        h.registerHook(g -> g.mul(0).add(1)); // replace ∂L/∂h by ones
        h.mul(h).sum().backward();
        assertArrayEquals(new double[] {3, 3}, a.grad().toDoubleArray());
        assertThrows(IllegalStateException.class, () -> Tensor.ones(2).registerHook(g -> g));
    }

    @Test
    void retainGradOnANonLeaf() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(3);
        Tensor hr = x.mul(4).retainGrad();
        h.add(hr).square().sum().backward();
        assertNull(h.grad(), "a non-leaf keeps no grad by default");
        // L = (3x + 4x)² = 49x²: ∂L/∂hr = 2(h + hr) = 14x
        assertArrayEquals(new double[] {14, 28}, hr.grad().toDoubleArray());
        assertArrayEquals(new double[] {98, 196}, x.grad().toDoubleArray());
    }

    @Test
    void broadcastingIsUndoneInBackward() {
        Tensor xs = Tensor.arange(12).reshape(3, 4);
        Tensor bias = Tensor.of(new float[] {1, 2, 3, 4}).requiresGrad(true);
        Tensor up = Tensor.arange(12).reshape(3, 4).mul(0.5);
        xs.add(bias).mul(up).sum().backward();
        assertArrayEquals(new int[] {4}, bias.grad().shape());
        // column sums of the upstream gradient
        assertArrayEquals(new float[] {6, 7.5f, 9, 10.5f}, bias.grad().toFloatArray());

        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1).requiresGrad(true);
        Tensor s = Tensor.scalar(2).requiresGrad(true);
        xs.mul(col).add(s).sum().backward();
        assertArrayEquals(new int[] {3, 1}, col.grad().shape());
        assertArrayEquals(new float[] {6, 22, 38}, col.grad().toFloatArray(), "row sums of x");
        assertEquals(0, s.grad().dim());
        assertEquals(12.0, s.grad().item());
    }

    @Test
    void inPlaceChangeOfASavedTensorIsCaught() {
        Tensor a = leaf(1, 2, 3);
        Tensor w = Tensor.of(new double[] {4, 5, 6});
        Tensor y = a.mul(w); // saves w
        w.fill(0); // allowed (w needs no grad), but the saved value is gone
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertMessage(e, "mul", "modified in place", "[3]");

        // a view's in-place change is seen through its base, and the other way round
        Tensor b = leaf(1, 2);
        Tensor base = Tensor.of(new double[] {1, 2, 3, 4});
        Tensor z = b.mul(base.narrow(0, 0, 2));
        base.narrow(0, 0, 2).mulInPlace(2);
        assertThrows(IllegalStateException.class, () -> z.sum().backward());

        Tensor c = leaf(0.5, 0.25);
        Tensor out = c.exp(); // saves its output
        try (var s = GradMode.noGrad()) {
            out.mulInPlace(2);
        }
        e = assertThrows(IllegalStateException.class, () -> out.sum().backward());
        assertMessage(e, "exp");
    }

    @Test
    void inPlaceOnALeafThatRequiresGradWhileRecording() {
        Tensor x = leaf(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.addInPlace(Tensor.of(new double[] {1, 1})));
        assertMessage(e, "addInPlace", "requires grad", "noGrad");
        assertThrows(IllegalStateException.class, () -> x.fill(0));
        assertThrows(IllegalStateException.class, () -> x.set(0, 1));
        assertThrows(IllegalStateException.class, () -> x.copyFrom(Tensor.zeros(DType.FLOAT64, 2)));
        assertArrayEquals(new double[] {1, 2}, x.toDoubleArray(), "unchanged");
        try (var s = GradMode.noGrad()) {
            x.subInPlace(Tensor.of(new double[] {1, 1}));
        }
        assertArrayEquals(new double[] {0, 1}, x.toDoubleArray());
    }

    @Test
    void leafGradientsDoNotAlias() {
        // x + y: both leaves receive the same upstream gradient
        Tensor x = leaf(1, 2, 3), y = leaf(4, 5, 6);
        x.add(y).mul(Tensor.of(new double[] {1, 2, 3})).sum().backward();
        try (var s = GradMode.noGrad()) {
            x.grad().mulInPlace(10);
        }
        assertArrayEquals(new double[] {10, 20, 30}, x.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3}, y.grad().toDoubleArray(), "y.grad must not change with x.grad");

        // the same with the sum's expanded gradient straight into both leaves
        Tensor p = leaf(1, 2, 3), q = leaf(4, 5, 6);
        p.add(q).sum().backward();
        try (var s = GradMode.noGrad()) {
            p.grad().mulInPlace(10);
            assertArrayEquals(new double[] {10, 10, 10}, p.grad().toDoubleArray());
            assertArrayEquals(new double[] {1, 1, 1}, q.grad().toDoubleArray());
            q.grad().mulInPlace(3);
            assertArrayEquals(new double[] {3, 3, 3}, q.grad().toDoubleArray());
        }

        // a leaf reached through a view (reshape) and another leaf taking the same gradient
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor v = leaf(1, 1, 1, 1);
        m.reshape(4).add(v).mul(Tensor.of(new double[] {1, 2, 3, 4})).sum().backward();
        assertNotSame(m.grad().storage, v.grad().storage);
        try (var s = GradMode.noGrad()) {
            m.grad().mulInPlace(0);
        }
        assertArrayEquals(new double[] {1, 2, 3, 4}, v.grad().toDoubleArray());

        // the gradient passed to backward (or a view of it) is not stored as a leaf's grad
        Tensor r = leaf(1, 2);
        Tensor userGrad = Tensor.of(new double[] {1, 1}, 2, 1);
        r.reshape(2, 1).backward(userGrad);
        Tensor r2 = leaf(1, 2);
        Tensor seed = Tensor.of(new double[] {1, 1});
        r2.backward(seed);
        try (var s = GradMode.noGrad()) {
            r.grad().mulInPlace(5);
            r2.grad().mulInPlace(5);
        }
        assertArrayEquals(new double[] {1, 1}, userGrad.toDoubleArray(), "the caller's gradient tensor is untouched");
        assertArrayEquals(new double[] {1, 1}, seed.toDoubleArray(), "the caller's gradient tensor is untouched");
    }

    @Test
    void higherOrderDerivatives() {
        Tensor x = Tensor.scalar(DType.FLOAT64, 2).requiresGrad(true);
        Tensor y = x.pow(3);
        Tensor d1 = Autograd.grad(y, x, true);
        assertEquals(12.0, d1.item(), 1e-12, "3x²");
        assertTrue(d1.requiresGrad(), "createGraph keeps the gradient differentiable");
        Tensor d2 = Autograd.grad(d1, x, true);
        assertEquals(12.0, d2.item(), 1e-12, "6x");
        Tensor d3 = Autograd.grad(d2, x, false);
        assertEquals(6.0, d3.item(), 1e-12, "6");

        // the same with x·x·x and with backward(createGraph)
        Tensor z = x.mul(x).mul(x);
        z.backward(null, false, true);
        Tensor g = x.grad();
        assertEquals(12.0, g.item(), 1e-12);
        x.setGrad(null);
        g.backward();
        assertEquals(12.0, x.grad().item(), 1e-12, "d/dx of the recorded 3x²");

        // JAX style: grad(grad(f))
        var f2 = Autograd.grad(Autograd.grad(t -> t.pow(3).sum()));
        assertEquals(6 * 1.5, f2.apply(Tensor.scalar(DType.FLOAT64, 1.5)).item(), 1e-12);
    }

    @Test
    void gradWithRespectToANonLeaf() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(3);
        Tensor y = h.square().sum();
        Tensor dh = Autograd.grad(y, h, false);
        assertArrayEquals(new double[] {6, 12}, dh.toDoubleArray(), "2h");
        assertNull(x.grad(), "grad() leaves .grad alone");

        Tensor x2 = leaf(1, 2);
        Tensor h2 = x2.mul(3);
        List<Tensor> both = Autograd.grad(h2.square().sum(), List.of(h2, x2), false);
        assertArrayEquals(new double[] {6, 12}, both.get(0).toDoubleArray());
        assertArrayEquals(new double[] {18, 36}, both.get(1).toDoubleArray());
    }

    @Test
    void gradOfAnInputNotInTheGraph() {
        Tensor x = leaf(1, 2), unused = leaf(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(x.square().sum(), unused, false));
        assertMessage(e, "grad", "not part of the graph", "allowUnused");
        List<Tensor> g = Autograd.grad(List.of(x.square().sum()), List.of(x, unused), null, false, true);
        assertArrayEquals(new double[] {2, 4}, g.get(0).toDoubleArray());
        assertNull(g.get(1), "allowUnused gives null");
        e = assertThrows(IllegalArgumentException.class,
                () -> Autograd.grad(x.square().sum(), Tensor.ones(2), false));
        assertMessage(e, "grad", "does not require grad");
    }
}
