package dev.nabla.cli.expr;

import dev.nabla.cli.expr.Expression.Variable;
import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.util.Locale;
import java.util.Set;

/** The parsed expression tree; each node evaluates itself with nabla tensor ops. */
sealed interface Node {
    /** The 0-based column where the node starts in the text. */
    int col();

    /** The value as a tensor (x and y may be null if unused). */
    Tensor eval(Tensor x, Tensor y);

    /** Adds the variables used to vs. */
    void collect(Set<Variable> vs);

    /** The first column where v occurs, or -1. */
    int firstColumnOf(Variable v);

    /** Fully parenthesized text. */
    String show();

    /** A number (constants are folded into these). */
    record Num(double value, int col) implements Node {
        public Tensor eval(Tensor x, Tensor y) { return Tensor.scalar(DType.FLOAT64, value); }
        public void collect(Set<Variable> vs) {}
        public int firstColumnOf(Variable v) { return -1; }
        public String show() {
            return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                    : String.format(Locale.ROOT, "%.17g", value).replaceAll("\\.?0+($|e)", "$1");
        }
    }

    /** x or y. */
    record Var(Variable v, int col) implements Node {
        public Tensor eval(Tensor x, Tensor y) {
            Tensor t = v == Variable.X ? x : y;
            return t.dtype() == DType.FLOAT64 ? t : t.toType(DType.FLOAT64);
        }
        public void collect(Set<Variable> vs) { vs.add(v); }
        public int firstColumnOf(Variable w) { return w == v ? col : -1; }
        public String show() { return v.symbol(); }
    }

    /** −a. */
    record Neg(Node a, int col) implements Node {
        public Tensor eval(Tensor x, Tensor y) { return a.eval(x, y).neg(); }
        public void collect(Set<Variable> vs) { a.collect(vs); }
        public int firstColumnOf(Variable v) { return a.firstColumnOf(v); }
        public String show() { return "(-" + a.show() + ")"; }
    }

    /** a op b for op in + - * / ^. */
    record Bin(char op, Node a, Node b, int col) implements Node {
        public Tensor eval(Tensor x, Tensor y) {
            Tensor l = a.eval(x, y);
            if (op == '^' && b instanceof Num n) return l.pow(n.value());
            Tensor r = b.eval(x, y);
            return switch (op) {
                case '+' -> l.add(r);
                case '-' -> l.sub(r);
                case '*' -> l.mul(r);
                case '/' -> l.div(r);
                case '^' -> l.pow(r);
                default -> throw new IllegalStateException("operator " + op);
            };
        }
        public void collect(Set<Variable> vs) { a.collect(vs); b.collect(vs); }
        public int firstColumnOf(Variable v) {
            int i = a.firstColumnOf(v);
            return i >= 0 ? i : b.firstColumnOf(v);
        }
        public String show() { return "(" + a.show() + " " + op + " " + b.show() + ")"; }
    }

    /** fn(a) for one of {@link Parser#FUNCTIONS}. */
    record Call(String fn, Node a, int col) implements Node {
        public Tensor eval(Tensor x, Tensor y) {
            Tensor t = a.eval(x, y);
            return switch (fn) {
                case "exp" -> t.exp();
                case "log" -> t.log();
                case "sqrt" -> t.sqrt();
                case "sin" -> t.sin();
                case "cos" -> t.cos();
                case "tanh" -> t.tanh();
                case "sigmoid" -> t.sigmoid();
                case "abs" -> t.abs();
                default -> throw new IllegalStateException("function " + fn);
            };
        }
        public void collect(Set<Variable> vs) { a.collect(vs); }
        public int firstColumnOf(Variable v) { return a.firstColumnOf(v); }
        public String show() { return fn + "(" + a.show() + ")"; }
    }
}
