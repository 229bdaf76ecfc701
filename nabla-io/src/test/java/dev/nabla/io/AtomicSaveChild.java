package dev.nabla.io;

import dev.nabla.tensor.DType;
import dev.nabla.tensor.Tensor;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * The child JVM of {@link AtomicWriteTest}. Modes:
 * <ul>
 *   <li>{@code save TARGET ELEMENTS FIRST_VERSION}: saves version v = FIRST, FIRST+1, ... of a
 *       float32 tensor of ELEMENTS copies of v (plus metadata version=v) to TARGET, forever,
 *       printing "saved v" after each save returns;</li>
 *   <li>{@code direct ...}: the same, but writing TARGET in place without the atomic protocol
 *       (to show, by hand, that the kill test catches a non-atomic writer);</li>
 *   <li>{@code hold FILE}: creates FILE, locks it as a writer does, prints "locked", sleeps.</li>
 * </ul>
 */
public final class AtomicSaveChild {
    private AtomicSaveChild() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "save", "direct" -> {
                Path target = Path.of(args[1]);
                int n = Integer.parseInt(args[2]);
                for (long v = Long.parseLong(args[3]); ; v++) {
                    Map<String, Tensor> t = Map.of("w", Tensor.full(DType.FLOAT32, v, n), "v", Tensor.of(new long[] {v}));
                    Map<String, String> meta = Map.of("version", Long.toString(v));
                    if (args[0].equals("save")) {
                        Safetensors.write(target, t, meta);
                    } else {
                        Path tmp = java.nio.file.Files.createDirectories(target.resolveSibling("staging")).resolve("v.safetensors");
                        Safetensors.write(tmp, t, meta);
                        byte[] b = java.nio.file.Files.readAllBytes(tmp);
                        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                                StandardOpenOption.TRUNCATE_EXISTING)) {
                            for (int off = 0; off < b.length; off += 1 << 16) {
                                ch.write(java.nio.ByteBuffer.wrap(b, off, Math.min(1 << 16, b.length - off)));
                            }
                        }
                    }
                    System.out.println("saved " + v);
                    System.out.flush();
                }
            }
            case "hold" -> {
                FileChannel ch = FileChannel.open(Path.of(args[1]), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                if (ch.tryLock() == null) throw new IllegalStateException("could not lock " + args[1]);
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(60_000);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
