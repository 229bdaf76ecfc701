package dev.nabla.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link Op#saves} is what each derivative rule reads, derived from the rules' source: a node
 * that keeps less fails (every primitive's gradcheck would too), one that keeps more holds
 * memory for nothing (which no gradcheck sees).
 */
class OpSavesTest {
    private static final Path DIR = Path.of("src/main/java/dev/nabla/tensor");
    // a case of the rule table's switch, at its indentation (a nested switch's cases are deeper)
    private static final Pattern CASE = Pattern.compile("(?m)^ {12}case ([A-Z0-9_, ]+) ->");
    // a rule that hands the node to a method of another class: Class.backward(n, i, g)
    private static final Pattern DELEGATE = Pattern.compile("(\\w+)\\.backward\\(n, i, g\\)");
    private static final Pattern READS_INPUT = Pattern.compile("\\b(n|node)\\.in\\("), READS_OUTPUT = Pattern.compile("\\b(n|node)\\.out\\(\\)");

    @Test
    void everyOpKeepsExactlyWhatItsRuleReads() throws IOException {
        String table = Files.readString(DIR.resolve("Derivatives.java"));
        table = table.substring(table.indexOf("return switch (op) {"));
        Map<Op, Op.Saves> derived = new EnumMap<>(Op.class);
        Matcher m = CASE.matcher(table);
        int start = -1;
        String ops = null;
        while (true) {
            boolean more = m.find();
            if (ops != null) {
                String rule = table.substring(start, more ? m.start() : table.indexOf("\n        };", start));
                Matcher d = DELEGATE.matcher(rule);
                if (d.find()) rule = method(d.group(1));
                boolean in = READS_INPUT.matcher(rule).find(), out = READS_OUTPUT.matcher(rule).find();
                Op.Saves saves = in ? (out ? Op.Saves.ALL : Op.Saves.INPUTS) : (out ? Op.Saves.OUTPUT : Op.Saves.NONE);
                for (String op : ops.split(",")) derived.put(Op.valueOf(op.trim()), saves);
            }
            if (!more) break;
            ops = m.group(1);
            start = m.end();
        }
        assertEquals(Op.values().length, derived.size(), "every op has a case in Derivatives");
        for (Op op : Op.values()) assertEquals(derived.get(op), op.saves, "Op." + op + ".saves against its rule");
    }

    // the body of Class.backward(Node ..., int i, Tensor g)
    private static String method(String className) throws IOException {
        String src = Files.readString(DIR.resolve(className + ".java"));
        int from = src.indexOf("static Tensor backward(Node ");
        assertTrue(from >= 0, className + " has no backward(Node, int, Tensor)");
        return src.substring(from, src.indexOf("\n    }\n", from));
    }
}
