package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The checked-in transposes are exactly what scripts/generate-double-kernels makes of their template. */
class TransposeKernelsTest {
    @Test
    void theUnrolledTransposesAreGenerated() throws IOException {
        String source = Files.readString(Path.of("src/main/java/dev/nabla/kernel").resolve(TransposeKernels.FILE), StandardCharsets.UTF_8);
        assertEquals(TransposeKernels.generate(source), source,
                TransposeKernels.FILE + " differs from its generated form: edit TransposeKernels, then run scripts/generate-double-kernels");
    }
}
