package dev.nabla.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into word and punctuation tokens. The rule: the text is lowercased (Unicode, no
 * locale); a word is a maximal run of letters and digits, which may continue through an
 * apostrophe (' or ’) followed by more letters or digits ("don't", "o'clock" are one token); every
 * punctuation mark or symbol is a token of its own ("." "," "$" "-"); everything else (spaces,
 * line breaks, control characters such as the backspaces of overstruck text) only separates.
 */
public final class Tokenizer {
    /** The rule in one sentence, for documentation and help texts. */
    public static final String RULE = "lowercase; tokens are runs of letters/digits (joined through an apostrophe"
            + " followed by letters/digits) and single punctuation marks or symbols; all else separates";

    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+(?:['’][\\p{L}\\p{N}]+)*|[\\p{P}\\p{S}]");

    private Tokenizer() {}

    /** The tokens of text, in order. */
    public static List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) out.add(m.group());
        return out;
    }
}
