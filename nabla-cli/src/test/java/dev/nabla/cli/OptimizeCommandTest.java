package dev.nabla.cli;

import static dev.nabla.cli.GdCommandTest.assertPng;
import static dev.nabla.cli.GdCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cli.Optimize2D.Method;
import dev.nabla.cli.Optimize2D.PointKind;
import dev.nabla.cli.Optimize2D.Problem;
import dev.nabla.cli.Optimize2D.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla optimize}: the optimizers on Rosenbrock, the saddle, the quadratic, the midterm and an expression. */
class OptimizeCommandTest {

    private static Run runOf(List<Run> runs, Method m) {
        return runs.stream().filter(r -> r.method() == m).findFirst().orElseThrow();
    }

    @Test
    void rosenbrockNewtonInFiveStepsMomentumBeatsSgd() {
        Problem p = Optimize2D.problem("rosenbrock");
        List<Run> runs = Optimize2D.runAll(p, List.of(Method.values()));
        Run newton = runOf(runs, Method.NEWTON);
        assertEquals(5, newton.reachedAt());
        assertEquals(1, newton.x()[5], 1e-5);
        assertEquals(1, newton.y()[5], 1e-5);
        assertEquals(-1.2, newton.x()[0], 0);
        assertEquals(24.2, newton.f()[0], 1e-12);
        Run sgd = runOf(runs, Method.SGD), momentum = runOf(runs, Method.MOMENTUM), adam = runOf(runs, Method.ADAM);
        assertEquals(-1, sgd.reachedAt(), "plain SGD crawls along the valley");
        assertEquals(5000, sgd.steps());
        assertTrue(momentum.reachedAt() > 0 && momentum.reachedAt() < 2000, "momentum " + momentum.reachedAt());
        assertTrue(runOf(runs, Method.NESTEROV).reachedAt() > 0);
        assertTrue(adam.reachedAt() > 0 && adam.reachedAt() < 2500, "adam " + adam.reachedAt());
        for (Run r : runs) {
            assertEquals(-1, r.nonFiniteAt(), r.method().label);
            assertNull(r.error());
            if (r.reachedAt() >= 0) assertTrue(r.f()[r.last()] < 1e-6);
        }
        assertEquals(PointKind.MINIMUM, Optimize2D.kind(Optimize2D.hessianEigenvalues(p, 1, 1)));
    }

    @Test
    void sgdIsTheLibrarysUpdateRule() {
        Problem p = Optimize2D.problem("rosenbrock").withSteps(1);
        Run sgd = Optimize2D.run(p, Method.SGD);
        // ∇f(-1.2, 1) = (-215.6, -88)
        assertEquals(-1.2 + 1e-3 * 215.6, sgd.x()[1], 1e-12);
        assertEquals(1 + 1e-3 * 88, sgd.y()[1], 1e-12);
        assertEquals(Math.hypot(215.6, 88), sgd.gradNorm()[0], 1e-9);
    }

    @Test
    void onTheSaddleNewtonLandsOnItAndGradientDescentEscapes() {
        Problem p = Optimize2D.problem("saddle");
        List<Run> runs = Optimize2D.runAll(p, List.of(Method.values()));
        Run newton = runOf(runs, Method.NEWTON);
        assertEquals(1, newton.reachedAt());
        assertEquals(0, newton.x()[1], 0);
        assertEquals(0, newton.y()[1], 0);
        assertEquals(0, newton.gradNorm()[1], 0);
        double[] eig = Optimize2D.hessianEigenvalues(p, 0, 0);
        assertEquals(-2, eig[0], 1e-12);
        assertEquals(2, eig[1], 1e-12);
        assertEquals(PointKind.SADDLE, Optimize2D.kind(eig));
        double[] down = Optimize2D.lowestCurvatureDirection(p, 0, 0);
        assertEquals(0, down[0], 1e-12);
        assertEquals(1, Math.abs(down[1]), 1e-12);
        for (Run r : runs) {
            if (r.method() == Method.NEWTON) continue;
            int k = r.last();
            assertEquals(-1, r.reachedAt(), r.method().label + " never reaches grad f = 0");
            assertTrue(Math.abs(r.y()[k]) > 2, r.method().label + " moved away along y: " + r.y()[k]);
            assertTrue(Math.hypot(r.x()[k], r.y()[k]) > Math.hypot(1, 0.05), r.method().label + " is farther from the saddle");
            assertTrue(r.f()[k] < -4, r.method().label + " f went below the saddle's 0: " + r.f()[k]);
        }
        String text = String.join("\n", OptimizeCommand.conclusions(p, runs));
        assertTrue(text.contains("Conclusion: Newton's method jumped to the saddle point (0, 0) in 1 step"), text);
        assertTrue(text.contains("eigenvalues -2 and 2: a saddle point, not a minimum"), text);
        assertTrue(text.contains("Gradient descent escapes: every gradient method moved away from the saddle along y"), text);
        assertTrue(!text.contains("Not (yet) escaped"), text);
    }

    @Test
    void leavingTheDomainIsToldFromRunningOffToInfinity(@TempDir Path dir) {
        CliRun.Output r = CliRun.run("optimize", "sqrt(x) + y^2", "--start", "1,1", "--lr", "3", "--methods", "sgd",
                "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("left the domain at step 1"), r.out());
        assertTrue(r.out().contains("SGD: f is not defined at step 1 (x, y) = (-0.5, -5)"), r.out());
        assertFalse(r.out().contains("infinity"), r.out());
    }

    @Test
    void theQuadraticTakesNewtonOneStep() {
        Problem p = Optimize2D.problem("quadratic");
        List<Run> runs = Optimize2D.runAll(p, List.of(Method.values()));
        Run newton = runOf(runs, Method.NEWTON);
        assertEquals(1, newton.reachedAt());
        assertEquals(1, newton.x()[1], 1e-12);
        assertEquals(-1, newton.y()[1], 1e-12);
        assertEquals(1, newton.f()[1], 1e-12);
        assertEquals(1.0, p.fStar());
        double[] eig = Optimize2D.hessianEigenvalues(p, 0, 0);
        assertEquals(2, eig[0], 1e-12); // 2A has eigenvalues 2 and 20
        assertEquals(20, eig[1], 1e-12);
        for (Run r : runs) {
            assertTrue(r.reachedAt() > 0, r.method().label + " reaches the tolerance");
            if (r.method() != Method.NEWTON) assertTrue(r.reachedAt() > 10, r.method().label + " needs many steps");
        }
        String text = String.join("\n", OptimizeCommand.conclusions(p, runs));
        assertTrue(text.contains("Newton's method reached the minimum in one step"), text);
    }

    @Test
    void theMidtermFunctionHasASingularHessianAndNoMinimum() {
        Problem p = Optimize2D.problem("midterm");
        List<Run> runs = Optimize2D.runAll(p, List.of(Method.values()));
        Run newton = runOf(runs, Method.NEWTON);
        assertNotNull(newton.error());
        assertTrue(newton.error().contains("singular") && newton.error().contains("[[-198, 0], [0, 0]]"), newton.error());
        for (Run r : runs) assertEquals(-1, r.reachedAt(), r.method().label);
        assertTrue(runOf(runs, Method.SGD).f()[100] < -1e10, "f decreases without bound");
    }

    @Test
    void anyExpressionInXAndY() {
        Problem p = Optimize2D.problem("x^2 + 2*y^2 + x*y");
        assertNull(p.fStar());
        List<Run> runs = Optimize2D.runAll(p, List.of(Method.values()));
        for (Run r : runs) assertTrue(r.reachedAt() > 0, r.method().label + " reaches |grad f| < 1e-6");
        assertEquals(1, runOf(runs, Method.NEWTON).reachedAt());
        assertEquals(0, runOf(runs, Method.NEWTON).x()[1], 1e-15);
    }

    @Test
    void learningRatesParse() {
        Map<Method, Double> d = Optimize2D.problem("rosenbrock").lrs();
        Map<Method, Double> all = OptimizeCommand.parseLr("0.02", d);
        assertEquals(0.02, all.get(Method.ADAGRAD));
        assertEquals(1.0, all.get(Method.NEWTON), "Newton keeps its full step");
        Map<Method, Double> some = OptimizeCommand.parseLr("sgd=0.002, Adam=0.1", d);
        assertEquals(0.002, some.get(Method.SGD));
        assertEquals(0.1, some.get(Method.ADAM));
        assertEquals(d.get(Method.RMSPROP), some.get(Method.RMSPROP));
        assertThrows(IllegalArgumentException.class, () -> OptimizeCommand.parseLr("sgdd=1", d));
        assertThrows(IllegalArgumentException.class, () -> OptimizeCommand.parseLr("-1", d));
    }

    @Test
    void theCommandPrintsTheSummaryAndWritesThePlots(@TempDir Path dir) throws IOException {
        Object[] r = run("optimize", "saddle", "--out", dir.toString(), "--svg");
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        assertTrue(out.contains("optimize saddle: f(x, y) = x^2 - y^2"), out);
        assertTrue(out.contains("steps to |grad f| < 1e-6"), out);
        assertTrue(out.matches("(?s).*\\nNewton +1 \\(exact Hessian\\) +1 +\\(0, 0\\) +0\\n.*"), out);
        assertTrue(out.matches("(?s).*\\nSGD +0\\.1 +not reached in 60 .*"), out);
        assertTrue(out.contains("jumped to the saddle point (0, 0) in 1 step"), out);
        assertTrue(out.contains("Gradient descent escapes"), out);
        assertPng(dir.resolve("paths.png"), OptimizeCommand.MAP_WIDTH, OptimizeCommand.MAP_HEIGHT);
        assertPng(dir.resolve("loss.png"), OptimizeCommand.WIDTH, OptimizeCommand.HEIGHT);
        assertPng(dir.resolve("grad-norm.png"), OptimizeCommand.WIDTH, OptimizeCommand.HEIGHT);
        for (String svg : List.of("paths.svg", "loss.svg", "grad-norm.svg")) {
            assertTrue(Files.readString(dir.resolve(svg)).contains("<svg"), svg);
        }

        Object[] q = run("optimize", "quadratic", "--steps", "50", "--out", dir.resolve("q").toString());
        assertEquals(0, q[0], (String) q[2]);
        assertTrue(((String) q[1]).contains("f - f* < 1e-6"), (String) q[1]);
        assertPng(dir.resolve("q/loss.png"), OptimizeCommand.WIDTH, OptimizeCommand.HEIGHT);

        Object[] e = run("optimize", "(1 - x)^2 + 100*(y - x^2)^2", "--start=-1.5,2", "--lr", "adam=0.02",
                "--methods", "adam,newton", "--steps", "200", "--out", dir.resolve("e").toString());
        assertEquals(0, e[0], (String) e[2]);
        String eo = (String) e[1];
        assertTrue(eo.contains("start (-1.5, 2)") && eo.contains("Adam       0.02") && !eo.contains("SGD"), eo);
        assertPng(dir.resolve("e/paths.png"), OptimizeCommand.MAP_WIDTH, OptimizeCommand.MAP_HEIGHT);
    }

    @Test
    void errorsAreUsageErrors(@TempDir Path dir) {
        Object[][] bad = {
            run("optimize", "x^2 + z", "--out", dir.toString()),
            run("optimize", "saddle", "--lr", "fast", "--out", dir.toString()),
            run("optimize", "saddle", "--methods", "sgd,lbfgs", "--out", dir.toString()),
            run("optimize", "saddle", "--start", "1", "--out", dir.toString()),
            run("optimize", "log(x) + y^2", "--start=-1,1", "--out", dir.toString()),
        };
        String[] expect = {"valid names", "not a number", "unknown method 'lbfgs'", "--start wants X,Y", "start where f is defined"};
        for (int i = 0; i < bad.length; i++) {
            assertEquals(2, bad[i][0], expect[i]);
            assertTrue(((String) bad[i][2]).contains(expect[i]), (String) bad[i][2]);
        }
        assertTrue(!Files.exists(dir.resolve("paths.png")));
    }
}
