package dev.nabla.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.nn.Linear;
import dev.nabla.nn.Losses;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Generator;
import dev.nabla.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Newton's method: one step on quadratics, saddles, singular Hessians, the size limit, line search. */
class NewtonTest {

    @Test
    void oneStepOnXSquaredPlus4FromTenLandsOnZero() {
        Tensor x = Tensor.scalar(DType.FLOAT64, 10).requiresGrad(true);
        Newton newton = new Newton(List.of(x));
        double f0 = newton.step(() -> x.mul(x).add(4));
        assertEquals(104, f0, 0);
        assertEquals(0, x.item(), 0);
        assertTrue(newton.lastStep().positiveDefinite());
        assertEquals(20, newton.lastStep().gradNorm(), 1e-12);
        assertTrue(x.isLeaf() && x.requiresGrad() && x.grad() == null, "the leaf is updated in place, grad untouched");
    }

    /** f = xᵀAx + bᵀx + c with A positive definite: the minimum is −½A⁻¹b, reached in one step. */
    @Test
    void oneStepOnAQuadraticHitsTheMinimum() {
        double[][] a = {{3, 1, 0.5}, {1, 2, -0.3}, {0.5, -0.3, 1.5}};
        double[] b = {1, -2, 0.7};
        Tensor aT = Tensor.of(a), bT = Tensor.of(b, 3);
        Tensor x = Tensor.of(new double[] {5, -7, 3}, 3).requiresGrad(true);
        Newton newton = new Newton(List.of(x));
        newton.step(() -> x.matmul(aT.matmul(x)).add(bT.matmul(x)).add(4));
        double[] expected = LinearSolve.lu(a, b);
        for (int i = 0; i < 3; i++) expected[i] *= -0.5;
        assertArrayEquals(expected, x.toDoubleArray(), 1e-10);
        // a second step stays there: the gradient is zero
        newton.step(() -> x.matmul(aT.matmul(x)).add(bT.matmul(x)).add(4));
        assertTrue(newton.lastStep().gradNorm() < 1e-10, "gradient " + newton.lastStep().gradNorm());
        assertArrayEquals(expected, x.toDoubleArray(), 1e-10);
    }

    /** Several parameter tensors (a float32 Linear layer): least squares is a quadratic, so one step solves it. */
    @Test
    void oneStepSolvesLeastSquaresOverSeveralParameterTensors() {
        Generator g = new Generator(3);
        Linear lin = new Linear(3, 1, g);
        Tensor x = Tensor.randn(g, DType.FLOAT32, 20, 3);
        Tensor y = x.matmul(Tensor.of(new float[] {0.5f, -1f, 2f}, 3, 1)).add(0.25);
        Newton newton = new Newton(lin.parameters());
        assertEquals(4, newton.numParams());
        newton.step(() -> Losses.mseLoss(lin.forward(x), y));
        assertArrayEquals(new float[] {0.5f, -1f, 2f}, lin.parameters().get(0).toFloatArray(), 1e-4f);
        assertEquals(0.25, lin.parameters().get(1).item(), 1e-4);
        assertEquals(0, Losses.mseLoss(lin.forward(x), y).item(), 1e-8);
    }

    @Test
    void onTheSaddleNewtonJumpsToTheSaddlePoint() {
        Tensor p = Tensor.of(new double[] {1, 0.05}, 2).requiresGrad(true);
        Newton newton = new Newton(List.of(p));
        newton.step(() -> saddle(p));
        assertArrayEquals(new double[] {0, 0}, p.toDoubleArray(), 1e-15);
        assertFalse(newton.lastStep().positiveDefinite(), "H = diag(2, -2) is indefinite");
    }

    /**
     * With a line search, Newton still goes to the saddle where its direction d = (x, y) is a
     * descent direction (gᵀd = 2x² − 2y² > 0, near the x axis); where it is not (|y| > |x|) the
     * search falls back to −g and moves away from the saddle along y.
     */
    @Test
    void lineSearchOnTheSaddleFallsBackToTheGradientWhereNewtonIsNotDescent() {
        Tensor p = Tensor.of(new double[] {1, 0.05}, 2).requiresGrad(true);
        Newton newton = Newton.builder(List.of(p)).lineSearch(true).build();
        newton.step(() -> saddle(p));
        assertFalse(newton.lastStep().gradientFallback());
        assertArrayEquals(new double[] {0, 0}, p.toDoubleArray(), 1e-15);

        Tensor q = Tensor.of(new double[] {0.05, 1}, 2).requiresGrad(true);
        Newton searching = Newton.builder(List.of(q)).lineSearch(true).build();
        searching.step(() -> saddle(q));
        assertTrue(searching.lastStep().gradientFallback());
        assertTrue(saddle(q).item() < 0.0025 - 1, "the loss decreased: " + saddle(q).item());
        assertTrue(Math.abs(q.get(1)) > 1, "moved away from the saddle along y: " + q.get(1));
    }

    private static Tensor saddle(Tensor p) {
        Tensor x = p.select(0, 0), y = p.select(0, 1);
        return x.mul(x).sub(y.mul(y));
    }

    @Test
    void rosenbrockConvergesWithAndWithoutLineSearch() {
        for (boolean ls : new boolean[] {false, true}) {
            Tensor p = Tensor.of(new double[] {-1.2, 1}, 2).requiresGrad(true);
            Newton newton = Newton.builder(List.of(p)).lineSearch(ls).build();
            int k = 0;
            while (k < 50 && rosenbrock(p).item() > 1e-20) {
                newton.step(() -> rosenbrock(p));
                k++;
            }
            assertArrayEquals(new double[] {1, 1}, p.toDoubleArray(), 1e-9, "line search " + ls);
            assertTrue(k <= 25, "steps " + k);
        }
    }

    private static Tensor rosenbrock(Tensor p) {
        Tensor x = p.select(0, 0), y = p.select(0, 1);
        return x.rsub(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
    }

    @Test
    void aSingularHessianIsAClearErrorAndDampingFixesIt() {
        // the midterm's -99x² - 2x + 100y + 1: H = [[-198, 0], [0, 0]]
        Tensor p = Tensor.of(new double[] {0.5, 0.5}, 2).requiresGrad(true);
        Newton newton = new Newton(List.of(p));
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> newton.step(() -> midterm(p)));
        assertTrue(e.getMessage().contains("singular") && e.getMessage().contains("[[-198, 0], [0, 0]]")
                && e.getMessage().contains("damping"), e.getMessage());
        assertArrayEquals(new double[] {0.5, 0.5}, p.toDoubleArray(), 0, "nothing moved");
        Newton damped = Newton.builder(List.of(p)).damping(1).build();
        damped.step(() -> midterm(p));
        assertTrue(Double.isFinite(p.get(0)) && p.get(1) < 0.5);
    }

    private static Tensor midterm(Tensor p) {
        Tensor x = p.select(0, 0), y = p.select(0, 1);
        return x.mul(x).mul(-99).sub(x.mul(2)).add(y.mul(100)).add(1);
    }

    @Test
    void tooManyParametersIsRefusedWithTheLimit() {
        Tensor w = Tensor.zeros(DType.FLOAT64, 50, 50).requiresGrad(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Newton(List.of(w)));
        assertTrue(e.getMessage().contains("2500") && e.getMessage().contains("at most 2000")
                && e.getMessage().contains("maxParams"), e.getMessage());
        assertEquals(2500, Newton.builder(List.of(w)).maxParams(3000).build().numParams());
        assertThrows(IllegalArgumentException.class, () -> Newton.builder(List.of(w)).maxParams(30000).build());
    }

    @Test
    void plainStepAndNonScalarLossesAreRefused() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Newton newton = new Newton(List.of(x));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, newton::step);
        assertTrue(e.getMessage().contains("step(() -> loss)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> newton.step(() -> x.mul(x)));
    }

    @Test
    void choleskyAndLuAgree() {
        double[][] a = {{4, 2}, {2, 3}};
        double[] b = {1, 2};
        assertArrayEquals(LinearSolve.lu(a, b), LinearSolve.cholesky(a, b), 1e-15);
        assertEquals(null, LinearSolve.cholesky(new double[][] {{1, 0}, {0, -1}}, b));
        assertArrayEquals(new double[] {1, -2}, LinearSolve.lu(new double[][] {{1, 0}, {0, -1}}, b), 0);
    }
}
