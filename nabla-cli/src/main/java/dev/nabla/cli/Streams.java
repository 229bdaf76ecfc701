package dev.nabla.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The PrintStream a command hands to library code that prints (the trainer's progress, the
 * gradient monitor): picocli's stdout writer, or System.out itself when that is where the writer
 * goes (so the progress bar still sees the terminal).
 */
final class Streams {
    private Streams() {}

    /** The command's stdout as a PrintStream. */
    static PrintStream out(CommandSpec spec) {
        PrintWriter w = spec.commandLine().getOut();
        if (spec.root().userObject() instanceof Main m && w == m.stdout) return System.out;
        return lines(w);
    }

    /** The command's stderr as a PrintStream (for warnings of library code, such as the dashboard's). */
    static PrintStream err(CommandSpec spec) {
        return lines(spec.commandLine().getErr());
    }

    // a PrintStream that hands each finished line to w
    private static PrintStream lines(PrintWriter w) {
        return new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

            @Override
            public void write(int b) {
                pending.write(b);
                if (b == '\n') flush();
            }

            @Override
            public void flush() {
                w.write(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
                w.flush();
            }
        }, true, StandardCharsets.UTF_8);
    }
}
