package dev.nabla.cli.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.autograd.Autograd;
import dev.nabla.cli.expr.Expression.Variable;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The expression language: precedence, values, derivatives by autograd, and error messages. */
class ExpressionTest {

    private static double at(String e, double x, double y) {
        return Expression.parse(e).valueAt(x, y);
    }

    @ParameterizedTest(name = "{0} at x={1}, y={2}")
    @CsvSource(delimiter = ';', value = {
        "x^2 + 4; 10; 0; 104",
        "-x^2; 3; 0; -9",               // unary minus binds weaker than ^
        "(-x)^2; 3; 0; 9",
        "2^3^2; 0; 0; 512",             // right-associative
        "2^-1; 0; 0; 0.5",
        "-2^2; 0; 0; -4",
        "x^-2; 2; 0; 0.25",
        "1 - 2 - 3; 0; 0; -4",          // left-associative
        "8 / 4 / 2; 0; 0; 1",
        "2 + 3 * 4; 0; 0; 14",
        "2 * 3 ^ 2; 0; 0; 18",
        "--x; 5; 0; 5",
        "+x; 5; 0; 5",
        "x ** 2; 3; 0; 9",
        "3 × x − 1; 2; 0; 5",
        "2·x; 4; 0; 8",
        "1e-3 * x; 2; 0; 0.002",
        ".5 + 1.5E2; 0; 0; 150.5",
        "exp(0) + log(e) + sqrt(4); 0; 0; 4",
        "sin(pi/2) + cos(0); 0; 0; 2",
        "tanh(0) + sigmoid(0) + abs(-3); 0; 0; 3.5",
        "(1 - x)^2 + 100*(y - x^2)^2; 1; 1; 0",
        "(1 - x)^2 + 100*(y - x^2)^2; -1.2; 1; 24.2",
        "x^2 - y^2; 2; 3; -5",
        "x^y; 2; 10; 1024",
        "-99*x^2 - 2*x + 100*y + 1; 1; 1; 0",
    })
    void values(String e, double x, double y, double expected) {
        assertEquals(expected, at(e, x, y), 1e-12);
    }

    @Test
    void parsedShowsThePrecedence() {
        assertEquals("((-(x ^ 2)) + 4)", Expression.parse("-x^2 + 4").parsed());
        assertEquals("(x ^ (y ^ 2))", Expression.parse("x^y^2").parsed());
        assertEquals("(x * 0.5)", Expression.parse("x * 2^-1").parsed(), "constants are folded");
    }

    @Test
    void variablesAreListed() {
        assertEquals(Set.of(Variable.X), Expression.parse("x^2 + 4").variables());
        assertEquals(Set.of(Variable.X, Variable.Y), Expression.parse("y + sin(x)").variables());
        assertEquals(Set.of(), Expression.parse("2 + pi").variables());
    }

    /** Derivatives come from autograd, first and second order, in float64. */
    @Test
    void derivativesByAutograd() {
        UnaryOperator<Tensor> f = Expression.parse("x^2 + 4").asFunction();
        Tensor x = Tensor.scalar(DType.FLOAT64, 10);
        assertEquals(20, Autograd.grad(f).apply(x).item(), 0);
        assertEquals(2, Autograd.grad(Autograd.grad(f)).apply(x).item(), 0);
        assertEquals(DType.FLOAT64, f.apply(x).dtype());

        UnaryOperator<Tensor> g = Expression.parse("sigmoid(x) * exp(-x) + sqrt(x) * log(x) - tanh(x)/x").asFunction();
        double x0 = 1.3, h = 1e-5;
        double numeric = (g.apply(Tensor.scalar(DType.FLOAT64, x0 + h)).item()
                - g.apply(Tensor.scalar(DType.FLOAT64, x0 - h)).item()) / (2 * h);
        assertEquals(numeric, Autograd.grad(g).apply(Tensor.scalar(DType.FLOAT64, x0)).item(), 1e-9);

        UnaryOperator<Tensor> r = Expression.parse("(1 - x)^2 + 100*(y - x^2)^2").asFunctionOfVector();
        Tensor p = Tensor.of(new double[] {-1.2, 1}, 2);
        double[] grad = Autograd.grad(r).apply(p).toDoubleArray();
        assertEquals(-215.6, grad[0], 1e-10);
        assertEquals(-88, grad[1], 1e-10);
        double[] hess = Autograd.hessian(r, p).toDoubleArray();
        assertEquals(1330, hess[0], 1e-9); // 1200x² − 400y + 2
        assertEquals(480, hess[1], 1e-9);  // −400x
        assertEquals(480, hess[2], 1e-9);
        assertEquals(200, hess[3], 1e-9);
    }

    @Test
    void manyPointsAtOnce() {
        double[] v = Expression.parse("x*y + 1").valuesAt(new double[] {1, 2, 3}, new double[] {4, 5, 6});
        assertEquals(5, v[0]);
        assertEquals(19, v[2]);
        assertEquals(3, Expression.parse("7").valuesAt(new double[] {1, 2, 3}, null).length);
    }

    // ---------------------------------------------------------------- errors

    private static ExpressionException error(String e) {
        return assertThrows(ExpressionException.class, () -> Expression.parse(e));
    }

    @Test
    void aSyntaxErrorPointsAtTheColumn() {
        ExpressionException e = error("x^2 + )");
        assertEquals(6, e.column());
        assertEquals("column 7: expected a number, a variable, a function or '(' but found ')'\n"
                + "  x^2 + )\n"
                + "        ^", e.pretty());
        assertEquals(5, error("x^2 +").column());
        assertTrue(error("x^2 +").getMessage().contains("ended"));
        assertEquals(6, error("(x + 1").column());
        assertTrue(error("(x + 1").getMessage().contains("missing ')' to close the '(' at column 1"));
        assertEquals(5, error("x + 1)").column());
        assertEquals("unmatched ')'", error("x + 1)").getMessage());
        assertEquals("the expression is empty", error("   ").getMessage());
        ExpressionException implicit = error("2x + 1");
        assertEquals(1, implicit.column());
        assertTrue(implicit.getMessage().contains("write 2*x"), implicit.getMessage());
        assertEquals(4, error("x + $").column());
        assertTrue(error("exp x").getMessage().contains("exp(...)"));
        assertTrue(error("x = 2").getMessage().contains("'='"));
    }

    @Test
    void unknownNamesListTheValidOnes() {
        ExpressionException e = error("x + z");
        assertEquals(4, e.column());
        assertTrue(e.getMessage().contains("unknown name 'z'") && e.getMessage().contains(
                "variables x, y; constants pi, e; functions exp, log, sqrt, sin, cos, tanh, sigmoid, abs"), e.getMessage());
        assertTrue(error("ln(x)").getMessage().contains("unknown function 'ln' (did you mean log?"));
        assertTrue(error("Exp(x)").getMessage().contains("did you mean exp?"));
    }

    @Test
    void requireOnlyPointsAtTheForbiddenVariable() {
        Expression e = Expression.parse("x^2 + y");
        ExpressionException ex = assertThrows(ExpressionException.class,
                () -> e.requireOnly("gd needs a function of x alone", Variable.X));
        assertEquals(6, ex.column());
        assertEquals("gd needs a function of x alone, but this expression uses y", ex.getMessage());
        Expression.parse("x^2").requireOnly("fine", Variable.X);
    }
}
