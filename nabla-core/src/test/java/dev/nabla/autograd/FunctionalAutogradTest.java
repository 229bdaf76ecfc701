package dev.nabla.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The function transforms over several arguments: valueAndGrad and grad with argnums, vjp, hessian over a list. */
class FunctionalAutogradTest {
    // f(x, y) = Σ x²·y, so ∂f/∂x = 2xy and ∂f/∂y = x²
    private static final Function<List<Tensor>, Tensor> F = a -> a.get(0).square().mul(a.get(1)).sum();
    private static final Tensor X = Tensor.of(new double[] {1, 2}), Y = Tensor.of(new double[] {3, 5});

    @Test
    void valueAndGradWithArgnums() {
        Autograd.ValueAndGrad all = Autograd.valueAndGrad(F).apply(List.of(X, Y));
        assertEquals(1 * 3 + 4 * 5, all.value().item());
        assertArrayEquals(new double[] {6, 20}, all.grads().get(0).toDoubleArray());
        assertArrayEquals(new double[] {1, 4}, all.grads().get(1).toDoubleArray());
        List<Tensor> onlyY = Autograd.grad(F, 1).apply(List.of(X, Y));
        assertEquals(1, onlyY.size());
        assertArrayEquals(new double[] {1, 4}, onlyY.get(0).toDoubleArray());
        // the arguments are untouched, and an argument f ignores gets zeros
        assertNull(X.grad());
        assertArrayEquals(new double[] {0, 0}, Autograd.grad(a -> a.get(0).sum(), 1).apply(List.of(X, Y)).get(0).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> Autograd.grad(F, 2).apply(List.of(X, Y)));
    }

    @Test
    void gradComposesForSecondDerivatives() {
        // ∂/∂y of (∂f/∂x · 1) = ∂/∂y Σ 2xy = 2x
        Function<List<Tensor>, Tensor> dfdxSum = a -> Autograd.grad(F, 0).apply(a).get(0).sum();
        assertArrayEquals(new double[] {2, 4}, Autograd.grad(dfdxSum, 1).apply(List.of(X, Y)).get(0).toDoubleArray());
    }

    @Test
    void vjpPullsBackAnyCotangent() {
        Autograd.Vjp v = Autograd.vjp(a -> a.get(0).mul(a.get(1)), List.of(X, Y));
        assertArrayEquals(new double[] {3, 10}, v.output().toDoubleArray());
        Tensor u = Tensor.of(new double[] {1, -1});
        List<Tensor> g = v.pullback().apply(u);
        assertArrayEquals(new double[] {3, -5}, g.get(0).toDoubleArray());
        assertArrayEquals(new double[] {1, -2}, g.get(1).toDoubleArray());
        assertArrayEquals(new double[] {3, -5}, v.pullback().apply(u).get(0).toDoubleArray(), "callable again");
    }

    @Test
    void hessianOverAParameterList() {
        Tensor x = X.copy().requiresGrad(true), y = Y.copy().requiresGrad(true);
        Autograd.ValueGradHessian d = Autograd.hessian(() -> F.apply(List.of(x, y)), List.of(x, y));
        assertEquals(23, d.value());
        assertArrayEquals(new double[] {6, 20, 1, 4}, d.gradient());
        // rows/cols x1 x2 y1 y2: ∂²/∂x² = diag(2y), ∂²/∂x∂y = diag(2x), ∂²/∂y² = 0
        double[][] expected = {{6, 0, 2, 0}, {0, 10, 0, 4}, {2, 0, 0, 0}, {0, 4, 0, 0}};
        for (int i = 0; i < 4; i++) assertArrayEquals(expected[i], d.hessian()[i], "row " + i);
        assertTrue(x.grad() == null && y.grad() == null, "grad fields untouched");
    }
}
