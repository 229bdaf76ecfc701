package dev.nabla.cli.expr;

/**
 * A syntax error or an unknown name in an {@link Expression}: the message, the expression and
 * the 0-based column it points at; {@link #pretty()} draws a caret under that column.
 */
public final class ExpressionException extends IllegalArgumentException {
    private final String expression;
    private final int column;

    /** An error at {@code column} (0-based) of {@code expression}. */
    public ExpressionException(String message, String expression, int column) {
        super(message);
        this.expression = expression;
        this.column = Math.max(0, Math.min(column, expression.length()));
    }

    /** The expression text as given. */
    public String expression() {
        return expression;
    }

    /** The 0-based column of the error (the expression's length for "at the end"). */
    public int column() {
        return column;
    }

    /**
     * The message with its 1-based column, then the expression and a caret line under the
     * column, each indented by two spaces:
     * <pre>
     * column 7: expected a number, a variable, a function or '(' but found ')'
     *   x^2 + )
     *         ^
     * </pre>
     */
    public String pretty() {
        return "column " + (column + 1) + ": " + getMessage() + "\n  " + expression + "\n  " + " ".repeat(column) + "^";
    }
}
