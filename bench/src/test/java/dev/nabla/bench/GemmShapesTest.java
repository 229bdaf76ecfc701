package dev.nabla.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GemmShapesTest {
    @Test
    void eachShapeGetsARateOnOneAndTwoThreadsARoundTripAndItsFractionOfThePeak() {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            GemmShapes.run(new String[] {"--quick", "40x300x70tA", "8x8x8tAtB"});
        } finally {
            System.setOut(saved);
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(2, lines.length, out.toString(StandardCharsets.UTF_8));
        for (String line : lines) {
            String[] f = line.strip().split(" ");
            assertEquals(6, f.length, line);
            assertTrue(Double.parseDouble(f[1]) > 0 && Double.parseDouble(f[2]) > 0, line);
            assertTrue(Double.parseDouble(f[4]) > 0 && Double.parseDouble(f[5]) > 0, line);
        }
        assertTrue(lines[0].startsWith("40x300x70tA "), lines[0]);
    }

    @Test
    void aShapeNotOfTheFormIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmShapes.run(new String[] {"128x256"}));
        assertTrue(e.getMessage().contains("'128x256'") && e.getMessage().contains("MxNxK"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GemmShapes.run(new String[] {"0x4x4"}));
        assertTrue(e.getMessage().contains("'0x4x4'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GemmShapes.run(new String[] {"99999999999x1x1"}));
        assertTrue(e.getMessage().contains("at most 2^28"), e.getMessage());
    }
}
