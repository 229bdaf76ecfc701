package dev.nabla.cli.expr;

import dev.nabla.cli.expr.Expression.Variable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The tokenizer and recursive-descent parser behind {@link Expression#parse}. */
final class Parser {
    /** The functions, in the order error messages list them. */
    static final List<String> FUNCTIONS = List.of("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "abs");

    private enum Kind { NUM, NAME, OP, END }

    private record Token(Kind kind, String text, double value, int col) {
        char op() { return kind == Kind.OP ? text.charAt(0) : 0; }
        String describe() {
            return kind == Kind.END ? "the end of the expression" : "'" + text + "'";
        }
    }

    private final String src;
    private final List<Token> tokens;
    private int pos;

    Parser(String src) {
        this.src = src;
        this.tokens = tokenize(src);
    }

    Node parse() {
        if (tokens.get(0).kind == Kind.END) throw error("the expression is empty", 0);
        Node n = expr();
        Token t = peek();
        if (t.kind != Kind.END) {
            Token prev = tokens.get(pos - 1);
            boolean operand = t.kind == Kind.NUM || t.kind == Kind.NAME || t.op() == '(';
            boolean after = prev.kind == Kind.NUM || prev.kind == Kind.NAME || prev.op() == ')';
            if (operand && after) {
                String product = prev.kind != Kind.OP && t.kind != Kind.OP ? prev.text + "*" + t.text
                        : "'*' between them";
                throw error("missing operator between '" + prev.text + "' and '" + t.text + "'; write "
                        + product + " for a product", t.col);
            }
            if (t.op() == ')') throw error("unmatched ')'", t.col);
            throw error("unexpected " + t.describe(), t.col);
        }
        return n;
    }

    private Node expr() {
        Node n = term();
        while (peek().op() == '+' || peek().op() == '-') {
            Token op = next();
            n = fold(new Node.Bin(op.op(), n, term(), n.col()));
        }
        return n;
    }

    private Node term() {
        Node n = unary();
        while (peek().op() == '*' || peek().op() == '/') {
            Token op = next();
            n = fold(new Node.Bin(op.op(), n, unary(), n.col()));
        }
        return n;
    }

    private Node unary() {
        Token t = peek();
        if (t.op() == '-') {
            next();
            return fold(new Node.Neg(unary(), t.col));
        }
        if (t.op() == '+') {
            next();
            return unary();
        }
        return power();
    }

    private Node power() {
        Node base = primary();
        if (peek().op() == '^') {
            next();
            return fold(new Node.Bin('^', base, unary(), base.col())); // unary → power: right-associative
        }
        return base;
    }

    private Node primary() {
        Token t = next();
        switch (t.kind) {
            case NUM:
                return new Node.Num(t.value, t.col);
            case NAME:
                return name(t);
            case OP:
                if (t.op() == '(') {
                    Node inner = expr();
                    Token close = next();
                    if (close.op() != ')') {
                        throw error("missing ')' to close the '(' at column " + (t.col + 1) + "; found "
                                + close.describe(), close.col);
                    }
                    return inner;
                }
                throw error("expected a number, a variable, a function or '(' but found " + t.describe(), t.col);
            default:
                throw error("expected a number, a variable, a function or '(' but the expression ended", t.col);
        }
    }

    private Node name(Token t) {
        String s = t.text;
        switch (s) {
            case "x": return new Node.Var(Variable.X, t.col);
            case "y": return new Node.Var(Variable.Y, t.col);
            case "pi": return new Node.Num(Math.PI, t.col);
            case "e": return new Node.Num(Math.E, t.col);
            default:
        }
        if (FUNCTIONS.contains(s)) {
            Token open = next();
            if (open.op() != '(') {
                throw error("function " + s + " needs its argument in parentheses: " + s + "(...)", open.col);
            }
            Node arg = expr();
            Token close = next();
            if (close.op() != ')') {
                throw error("missing ')' to close " + s + "( at column " + (open.col + 1) + "; found "
                        + close.describe(), close.col);
            }
            return fold(new Node.Call(s, arg, t.col));
        }
        String hint = "";
        String lower = s.toLowerCase(Locale.ROOT);
        if (!lower.equals(s) && (FUNCTIONS.contains(lower) || Set.of("x", "y", "pi", "e").contains(lower))) {
            hint = " (names are lower case: did you mean " + lower + "?)";
        } else if (lower.equals("ln")) {
            hint = " (did you mean log? log is the natural logarithm)";
        } else if (lower.equals("sigma") || lower.equals("logistic")) {
            hint = " (did you mean sigmoid?)";
        }
        String kind = peek().op() == '(' ? "function" : "name";
        throw error("unknown " + kind + " '" + s + "'" + hint + "; valid names: " + Expression.vocabulary(), t.col);
    }

    /** Replaces a sub-expression without variables by its value. */
    private static Node fold(Node n) {
        if (n instanceof Node.Num) return n;
        Set<Variable> vs = EnumSet.noneOf(Variable.class);
        n.collect(vs);
        if (!vs.isEmpty()) return n;
        return new Node.Num(n.eval(null, null).item(), n.col());
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind != Kind.END) pos++;
        return t;
    }

    private ExpressionException error(String message, int col) {
        return new ExpressionException(message, src, col);
    }

    private List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                if (i < s.length() && s.charAt(i) == '.') {
                    i++;
                    while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                }
                if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                    int j = i + 1;
                    if (j < s.length() && (s.charAt(j) == '+' || s.charAt(j) == '-')) j++;
                    if (j < s.length() && Character.isDigit(s.charAt(j))) {
                        i = j;
                        while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                    }
                }
                String text = s.substring(start, i);
                out.add(new Token(Kind.NUM, text, Double.parseDouble(text), start));
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
                out.add(new Token(Kind.NAME, s.substring(start, i), 0, start));
            } else if (c == '*' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                out.add(new Token(Kind.OP, "^", 0, i));
                i += 2;
            } else {
                char op = switch (c) {
                    case '×', '·', '∗' -> '*';
                    case '−', '–' -> '-';
                    case '+', '-', '*', '/', '^', '(', ')' -> c;
                    default -> 0;
                };
                if (op == 0) {
                    String what = c == ',' ? "',' (each function takes one argument)"
                            : c == '=' ? "'=' (give the right-hand side only, e.g. x^2 + 4)"
                            : "character '" + c + "'";
                    throw error("unexpected " + what + "; use numbers, x, y, + - * / ^, parentheses and "
                            + String.join(", ", FUNCTIONS), i);
                }
                out.add(new Token(Kind.OP, String.valueOf(op), 0, i));
                i++;
            }
        }
        out.add(new Token(Kind.END, "", 0, s.length()));
        return out;
    }
}
