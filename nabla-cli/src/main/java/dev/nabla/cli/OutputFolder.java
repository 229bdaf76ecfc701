package dev.nabla.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --out DIR} option of the commands that write plots or models: out/&lt;spec name&gt;
 * by default; {@link #checked} finds an unusable folder before any work is done, without
 * creating anything.
 */
final class OutputFolder {
    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: out/<spec name>)")
    Path out;

    /** The folder {@link #checked} accepted, or null. */
    Path checkedDir;

    /** The folder: --out, or out/name. */
    Path dir(String name) {
        return out != null ? out : Path.of("out", name);
    }

    /** The folder, after checking that it is (or can be created as) a folder nabla can write. */
    Path checked(String name) {
        Path dir = dir(name);
        String option = out != null ? "--out " + out : "the output folder " + dir;
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null) throw UserError.usage(option + ": no existing parent folder");
        if (!Files.isDirectory(p)) {
            throw UserError.usage(option + ": " + (p.equals(dir.toAbsolutePath()) ? "is a file" : p + " is a file")
                    + ", not a folder; give a folder (it is created if missing)");
        }
        try { // a probe, since permissions alone miss read-only and virtual file systems (and root passes them all)
            Files.delete(Files.createTempDirectory(p, ".nabla-probe"));
        } catch (IOException | UnsupportedOperationException e) {
            throw UserError.usage(option + ": nabla cannot write in " + p + "; give a folder you can write");
        }
        checkedDir = dir;
        return dir;
    }
}
