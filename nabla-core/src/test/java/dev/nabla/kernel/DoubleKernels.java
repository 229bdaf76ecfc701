package dev.nabla.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * Writes the float64 kernels from their float32 sources, so the two types are written once:
 * {@code scripts/generate-double-kernels} runs it ({@code java DoubleKernels.java <kernel source dir>});
 * {@link DoubleKernelsTest} fails when a checked-in float64 file is not what it generates.
 */
final class DoubleKernels {
    /** float32 source → generated float64 file, in src/main/java/dev/nabla/kernel. */
    static final String[][] FILES = {
        {"VectorGemmFloat.java", "VectorGemmDouble.java"},
        {"ScalarGemmFloat.java", "ScalarGemmDouble.java"},
    };

    private static final String FLOAT_NOTE =
            " * <p>The float64 twin is generated from this file: edit it, then run scripts/generate-double-kernels.";

    /** Rules applied in order: each regex to its replacement. */
    private static final String[][] RULES = {
        {"float32", "float64"},
        {"\\bfloat\\b", "double"},
        {"Float", "Double"},
        {"\\bFS\\b", "DS"},
        {"\\bFL\\b", "DL"},
        {"\\bFNR\\b", "DNR"},
        {"\\b(kernel|store)F", "$1D"},
        {"\\b(\\d+)f\\b", "$1d"},
        {"\"sgemm\"", "\"dgemm\""},
        {"Scratch\\.floats", "Scratch.doubles"},
    };

    private DoubleKernels() {}

    /** The float64 source for the float32 one of file {@code name}. */
    static String generate(String name, String floatSource) {
        if (!floatSource.contains(FLOAT_NOTE)) {
            throw new IllegalArgumentException("the float32 source lacks the line: " + FLOAT_NOTE);
        }
        String s = floatSource.replace(FLOAT_NOTE, "\u0000");
        for (String[] rule : RULES) s = Pattern.compile(rule[0]).matcher(s).replaceAll(rule[1]);
        return s.replace("\u0000", " * <p>GENERATED from " + name + " by scripts/generate-double-kernels: do not edit.");
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: java DoubleKernels.java <kernel source dir>");
        Path dir = Path.of(args[0]);
        for (String[] f : FILES) {
            String generated = generate(f[0], Files.readString(dir.resolve(f[0]), StandardCharsets.UTF_8));
            Path out = dir.resolve(f[1]), tmp = dir.resolve(f[1] + ".tmp");
            Files.writeString(tmp, generated, StandardCharsets.UTF_8);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            System.out.println("wrote " + out);
        }
    }
}
