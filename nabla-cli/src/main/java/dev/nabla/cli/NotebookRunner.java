package dev.nabla.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

/**
 * Runs a {@code .jsh} notebook with JShell in this JVM (nabla and the Vector API module
 * already loaded), after the shell's startup imports: snippet by snippet, as {@code jshell
 * file.jsh} would, but stopping at the first snippet that does not compile or throws, with its
 * line number and the reason.
 */
final class NotebookRunner {
    private NotebookRunner() {}

    static String startup() throws IOException {
        try (InputStream in = NotebookRunner.class.getResourceAsStream("startup.jsh")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Runs the notebook; 0 when every snippet ran, 1 at the first failure (reported on err). */
    static int run(Path file, PrintStream err) throws IOException {
        String source = Files.readString(file);
        try (JShell shell = JShell.builder().executionEngine("local").compilerOptions("--add-modules", "jdk.incubator.vector").build()) {
            shell.addToClasspath(System.getProperty("java.class.path"));
            if (!eval(shell, startup(), "(startup)", err)) return 1;
            return eval(shell, source, file.toString(), err) ? 0 : 1;
        }
    }

    private static boolean eval(JShell shell, String source, String name, PrintStream err) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String rest = source;
        int consumed = 0;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            String snippet = info.completeness().isComplete() ? info.source() : rest;
            // report the snippet from its first line of code (its source includes the comments above it)
            String code = snippet.strip();
            while (code.startsWith("//")) code = code.substring(code.indexOf('\n') < 0 ? code.length() : code.indexOf('\n') + 1).strip();
            int at = source.indexOf(code, consumed);
            int line = 1 + (int) source.substring(0, at < 0 ? consumed : at).chars().filter(c -> c == '\n').count();
            List<SnippetEvent> events = shell.eval(snippet);
            for (SnippetEvent e : events) {
                if (e.status() == Snippet.Status.REJECTED) {
                    StringBuilder why = new StringBuilder();
                    shell.diagnostics(e.snippet()).forEach(d -> why.append("\n  ").append(d.getMessage(null)));
                    err.println(name + ":" + line + ": this snippet does not compile:" + why + "\n  " + code);
                    return false;
                }
                if (e.exception() != null) {
                    Exception x = e.exception();
                    String type = x instanceof EvalException ee ? ee.getExceptionClassName() : x.getClass().getName();
                    err.println(name + ":" + line + ": " + type + ": " + x.getMessage() + "\n  " + code);
                    return false;
                }
            }
            consumed += info.completeness().isComplete() ? rest.length() - info.remaining().length() : rest.length();
            rest = info.completeness().isComplete() ? info.remaining() : "";
        }
        return true;
    }

}
