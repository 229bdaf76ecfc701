package dev.nabla.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DcganLayersTest {
    @Test
    void everyLayerOfBothModelsGetsAForwardAndABackwardTime() {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            DcganLayers.main(new String[] {"2", "1"});
        } finally {
            System.setOut(saved);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> expected = List.of("G.0 Linear", "G.1 BatchNorm1d", "G.2 ReLU", "G.3 Unflatten", "G.4 ConvTranspose2d",
                "G.5 BatchNorm2d", "G.6 ReLU", "G.7 ConvTranspose2d", "G.8 Tanh", "D.0 Conv2d", "D.1 LeakyReLU", "D.2 Conv2d",
                "D.3 BatchNorm2d", "D.4 LeakyReLU", "D.5 Flatten", "D.6 Linear");
        assertEquals(expected.size(), lines.size(), String.join("\n", lines));
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ");
            assertEquals(expected.get(i), f[0] + " " + f[1]);
            assertTrue(Double.parseDouble(f[2]) >= 0 && Double.parseDouble(f[3]) >= 0, lines.get(i));
        }
    }
}
