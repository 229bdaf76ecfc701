package dev.nabla.course;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One program of the course: reproduces one item of COURSE.md, prints what it computes and
 * returns its key figures by name (which the tests assert). Run one with
 * {@code ./nabla course NAME}, or from its own {@code main}.
 */
public abstract class CourseProgram {
    private final Map<String, Double> figures = new LinkedHashMap<>();
    /** Where the program prints. */
    protected PrintStream out = System.out;
    /** Where the program writes its plots, if any. */
    protected Path dir = Path.of("out", "course");

    /** The name to run it by, e.g. "cross-entropy". */
    public abstract String name();

    /** One line saying what it shows. */
    public abstract String title();

    /** The computation: prints to {@link #out}, writes plots into {@link #dir}, records figures with {@link #figure}. */
    protected abstract void compute() throws IOException;

    /** Runs the program, printing to out and writing plots into dir; returns its figures in the order recorded. */
    public final Map<String, Double> run(PrintStream out, Path dir) throws IOException {
        this.out = out;
        this.dir = dir;
        figures.clear();
        compute();
        return new LinkedHashMap<>(figures);
    }

    /** Records a figure (returned by {@link #run}) and returns it. */
    protected final double figure(String name, double value) {
        figures.put(name, value);
        return value;
    }

    /** printf with Locale.ROOT and a newline. */
    protected final void line(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }

    /** Runs a program as a standalone Java program; the first argument, if any, is the output folder. */
    static void main(CourseProgram p, String[] args) throws IOException {
        p.run(System.out, args.length > 0 ? Path.of(args[0]) : Path.of("out", "course", p.name()));
    }
}
