package dev.nabla.io;

import dev.nabla.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz} archives (what {@code np.savez} and {@code np.savez_compressed} write and
 * {@code np.load} reads): a zip of {@code .npy} files, one per named array. Types as in
 * {@link Npy}.
 *
 * <pre>{@code
 * Npz.write(Path.of("data.npz"), Map.of("x", x, "y", y)); // np.load("data.npz")["x"]
 * Map<String, Tensor> arrays = Npz.read(Path.of("data.npz"));
 * }</pre>
 */
public final class Npz {
    private Npz() {}

    /** The arrays of file by name (the entry names without ".npy"), in the archive's order. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NablaIOException(file, "no such file");
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) continue;
                if (!e.getName().endsWith(".npy")) throw new NablaIOException(file, "entry " + e.getName() + " is not a .npy array; an .npz holds only .npy files");
                byte[] bytes;
                try (InputStream in = zip.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                try {
                    out.put(e.getName().substring(0, e.getName().length() - 4), Npy.decode(bytes));
                } catch (IllegalArgumentException x) {
                    throw new NablaIOException(file, "array " + e.getName() + ": " + x.getMessage(), x);
                }
            }
        } catch (ZipException e) {
            throw new NablaIOException(file, "not an .npz (zip) archive: " + e.getMessage(), e);
        }
        return out;
    }

    /** Writes the arrays as an .npz (deflated, as np.savez_compressed), whole or not at all. */
    public static void write(Path file, Map<String, Tensor> arrays) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(buf)) {
            for (var e : arrays.entrySet()) {
                if (e.getKey().isEmpty()) throw new IllegalArgumentException("an array name is empty; np.load needs a name per array");
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(Npy.encode(e.getValue()));
                zip.closeEntry();
            }
        }
        AtomicFiles.write(file, ch -> Channels.newOutputStream(ch).write(buf.toByteArray()));
    }
}
