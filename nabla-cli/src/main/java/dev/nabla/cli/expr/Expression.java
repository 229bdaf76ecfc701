package dev.nabla.cli.expr;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.GradMode;
import dev.nabla.tensor.Tensor;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A function of x (and y) typed as text, such as {@code "x^2 + 4"} or
 * {@code "(1 - x)^2 + 100*(y - x^2)^2"}, compiled to nabla tensor operations so that autograd
 * gives its derivatives of any order. Values are float64.
 *
 * <p>Grammar (a hand-written recursive-descent parser; whitespace is ignored):
 * <pre>
 * expr    := term (('+' | '-') term)*
 * term    := unary (('*' | '/') unary)*
 * unary   := ('-' | '+') unary | power
 * power   := primary ('^' unary)?           right-associative: 2^3^2 = 2^9
 * primary := number | name | function '(' expr ')' | '(' expr ')'
 * </pre>
 * so {@code -x^2} is −(x²) and {@code 2^-x} is 2^(−x), as in mathematics. {@code ×} and
 * {@code ·} may be written for {@code *}, {@code −} for {@code -}, {@code **} for {@code ^}.
 * Numbers: {@code 3}, {@code 0.5}, {@code .5}, {@code 1e-3}. Names: the variables {@code x}
 * and {@code y}, the constants {@code pi} and {@code e}; functions {@code exp log sqrt sin cos
 * tanh sigmoid abs} (log is natural). A syntax error or an unknown name throws an
 * {@link ExpressionException} that points at the column and, for names, lists the valid ones.
 *
 * <p>Constant sub-expressions are folded when parsing; a constant exponent becomes
 * {@link Tensor#pow(double)} (so {@code x^2} is defined for negative x), a variable exponent
 * {@link Tensor#pow(Tensor)}.
 */
public final class Expression {
    /** The variables an expression may use. */
    public enum Variable {
        /** The first coordinate. */
        X,
        /** The second coordinate. */
        Y;

        /** The name as written in expressions: "x" or "y". */
        public String symbol() {
            return this == X ? "x" : "y";
        }
    }

    private final String text;
    private final Node root;
    private final Set<Variable> variables;

    private Expression(String text, Node root) {
        this.text = text;
        this.root = root;
        EnumSet<Variable> vs = EnumSet.noneOf(Variable.class);
        root.collect(vs);
        this.variables = Collections.unmodifiableSet(vs);
    }

    /**
     * Parses an expression.
     *
     * @throws ExpressionException on a syntax error or an unknown name, pointing at the column
     */
    public static Expression parse(String text) {
        if (text == null) throw new ExpressionException("the expression is missing", "", 0);
        return new Expression(text, new Parser(text).parse());
    }

    /** The text as given. */
    public String text() {
        return text;
    }

    /** The variables the expression uses (x before y). */
    public Set<Variable> variables() {
        return variables;
    }

    /** Whether the expression uses the given variable. */
    public boolean uses(Variable v) {
        return variables.contains(v);
    }

    /**
     * Refuses an expression that uses a variable outside {@code allowed}, pointing at its first
     * occurrence, e.g. y in a 1-D command.
     *
     * @param what how the caller names what it needs, e.g. "gd needs a function of x alone"
     * @throws ExpressionException naming the variable and its column
     */
    public void requireOnly(String what, Variable... allowed) {
        Set<Variable> ok = EnumSet.noneOf(Variable.class);
        Collections.addAll(ok, allowed);
        for (Variable v : variables) {
            if (!ok.contains(v)) {
                throw new ExpressionException(what + ", but this expression uses " + v.symbol(), text,
                        root.firstColumnOf(v));
            }
        }
    }

    /** The expression as a fully parenthesized formula, showing how it was parsed: {@code ((-(x ^ 2)) + 4)}. */
    public String parsed() {
        return root.show();
    }

    /**
     * The value at x and y as a tensor computed with nabla ops (recorded for autograd when x or
     * y requires grad; tensors of any shape broadcast). y may be null when the expression does
     * not use it; so may x.
     */
    public Tensor apply(Tensor x, Tensor y) {
        if (x == null && uses(Variable.X)) throw new IllegalArgumentException(text + ": uses x but no x was given");
        if (y == null && uses(Variable.Y)) throw new IllegalArgumentException(text + ": uses y but no y was given");
        Tensor out = root.eval(x, y);
        if (out.dtype() != DType.FLOAT64) out = out.toType(DType.FLOAT64);
        return out;
    }

    /** f(x) for a 1-D expression; {@code Autograd.grad(e.asFunction())} is its derivative. */
    public UnaryOperator<Tensor> asFunction() {
        return x -> apply(x, null);
    }

    /** f(p[0], p[1]) for a parameter vector p of 2 elements: the form optimizers and Hessians want. */
    public UnaryOperator<Tensor> asFunctionOfVector() {
        return p -> apply(p.select(0, 0), p.select(0, 1));
    }

    /** The float64 value at (x, y), without recording a graph. */
    public double valueAt(double x, double y) {
        try (var s = GradMode.noGrad()) {
            return root.eval(Tensor.scalar(DType.FLOAT64, x), Tensor.scalar(DType.FLOAT64, y)).item();
        }
    }

    /** The values at many points at once (x[i], y[i]), one tensor evaluation; y may be null for 1-D. */
    public double[] valuesAt(double[] x, double[] y) {
        try (var s = GradMode.noGrad()) {
            Tensor tx = Tensor.of(x, x.length);
            Tensor ty = y == null ? tx.zerosLike() : Tensor.of(y, y.length);
            return root.eval(tx, ty).add(tx.zerosLike()).toDoubleArray(); // a constant broadcasts to x's shape
        }
    }

    @Override
    public String toString() {
        return text;
    }

    /** The names and functions accepted, for help texts and error messages. */
    public static String vocabulary() {
        return "variables x, y; constants pi, e; functions " + String.join(", ", Parser.FUNCTIONS);
    }

    /** Used by the parser for its error messages. */
    static Set<String> functionNames() {
        return new LinkedHashSet<>(Parser.FUNCTIONS);
    }
}
