package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The checked-in float64 kernels are exactly what scripts/generate-double-kernels makes of the float32 ones. */
class DoubleKernelsTest {
    private static final Path DIR = Path.of("src/main/java/dev/nabla/kernel");

    @Test
    void theFloat64KernelsAreGeneratedFromTheFloat32Ones() throws IOException {
        for (String[] f : DoubleKernels.FILES) {
            String expected = DoubleKernels.generate(f[0], Files.readString(DIR.resolve(f[0]), StandardCharsets.UTF_8));
            assertEquals(expected, Files.readString(DIR.resolve(f[1]), StandardCharsets.UTF_8),
                    f[1] + " is not generated from " + f[0] + ": edit " + f[0] + ", then run scripts/generate-double-kernels");
        }
    }
}
