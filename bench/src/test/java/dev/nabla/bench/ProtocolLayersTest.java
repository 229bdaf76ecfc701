package dev.nabla.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtocolLayersTest {
    @Test
    void everyLayerOfBothDcganModelsGetsAForwardAndABackwardTime() {
        assertLayers(run("dcgan", "2", "1"), List.of("G.0 Linear", "G.1 BatchNorm1d", "G.2 ReLU", "G.3 Unflatten",
                "G.4 ConvTranspose2d", "G.5 BatchNorm2d", "G.6 ReLU", "G.7 ConvTranspose2d", "G.8 Tanh", "D.0 Conv2d",
                "D.1 LeakyReLU", "D.2 Conv2d", "D.3 BatchNorm2d", "D.4 LeakyReLU", "D.5 Flatten", "D.6 Linear"));
    }

    @Test
    void everyLayerOfVgg16GetsAForwardAndABackwardTime() {
        List<String> expected = new ArrayList<>();
        for (int v : new int[] {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0}) {
            if (v == 0) {
                expected.add("MaxPool2d");
            } else {
                expected.add("Conv2d");
                expected.add("ReLU");
            }
        }
        expected.addAll(List.of("Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"));
        for (int i = 0; i < expected.size(); i++) expected.set(i, "V." + i + " " + expected.get(i));
        assertLayers(run("vgg16", "1", "1"), expected);
    }

    @Test
    void anUnknownModelOrABadCountIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProtocolLayers.run(new String[] {"mlp"}));
        assertTrue(e.getMessage().contains("dcgan|vgg16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ProtocolLayers.run(new String[] {"vgg16", "two"}));
        assertTrue(e.getMessage().contains("BATCH two"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ProtocolLayers.run(new String[] {"dcgan", "2", "0"}));
        assertTrue(e.getMessage().contains("REPS 0"), e.getMessage());
    }

    private static List<String> run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            ProtocolLayers.run(args);
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static void assertLayers(List<String> lines, List<String> expected) {
        assertEquals(expected.size(), lines.size(), String.join("\n", lines));
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ");
            assertEquals(expected.get(i), f[0] + " " + f[1]);
            assertTrue(Double.parseDouble(f[2]) >= 0 && Double.parseDouble(f[3]) >= 0, lines.get(i));
        }
    }
}
