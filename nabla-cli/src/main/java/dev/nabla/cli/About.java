package dev.nabla.cli;

import dev.nabla.Nabla;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code nabla --version} prints: the nabla version, the Java runtime and the kernel
 * provider in use. {@link InfoCommand} prints the same and more.
 */
public final class About implements IVersionProvider {

    /**
     * Returns nabla's version, e.g. {@code 0.1.0-SNAPSHOT}.
     *
     * @return the version this build was made from
     */
    public static String version() {
        try (InputStream in = About.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Describes the running Java: version, VM, vendor and home.
     *
     * @return e.g. {@code 25.0.3+9-LTS (OpenJDK 64-Bit Server VM, Eclipse Adoptium, /usr/lib/jvm/...)}
     */
    public static String java() {
        return Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ", " + System.getProperty("java.home") + ")";
    }

    /**
     * Returns the lines both {@code --version} and {@code info} start with, as label/value pairs.
     *
     * @return {@code [label, value]} pairs
     */
    static List<String[]> basics() {
        return List.of(
                new String[] {"nabla", version()},
                new String[] {"java", java()},
                new String[] {"kernel", Nabla.kernels()});
    }

    /** Formats one aligned {@code label value} line. */
    static String line(String label, String value) {
        return String.format("%-8s %s", label, value);
    }

    @Override
    public String[] getVersion() {
        // picocli runs version lines through String.format: escape '%'
        return basics().stream().map(kv -> line(kv[0], kv[1]).replace("%", "%%")).toArray(String[]::new);
    }
}
