package dev.nabla.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.TensorDataset;
import dev.nabla.tensor.Generator;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The playground's data sets, its training, and its endpoints. */
class PlaygroundTest {
    private static double last(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\\[([^\\]]*)\\]").matcher(json);
        assertTrue(m.find(), key + " in " + json.substring(0, Math.min(300, json.length())));
        String[] v = m.group(1).split(",");
        return Double.parseDouble(v[v.length - 1]);
    }

    @Test
    void theToySetsHaveTwoBalancedClassesInThePlane() {
        for (String name : Playground.DATASETS) {
            TensorDataset d = Playground.data(name, 200, 0.05, new Generator(1));
            assertEquals(200, d.size(), name);
            double ones = d.targets().toDoubleArray().length == 200 ? java.util.Arrays.stream(d.targets().toDoubleArray()).sum() : -1;
            assertTrue(ones > 60 && ones < 140, name + ": " + ones + " of 200 in class 1");
            for (double v : d.inputs().toDoubleArray()) assertTrue(Math.abs(v) < Playground.EXTENT, name + ": " + v + " outside the drawn plane");
        }
    }

    @Test
    void trainingLearnsTheCirclesAndIsReproducible() {
        String a = new Playground("circles", new int[] {8, 8}, "tanh", "adam", 0.03, 10, 0.05, 3).train(30);
        String b = new Playground("circles", new int[] {8, 8}, "tanh", "adam", 0.03, 10, 0.05, 3).train(30);
        assertEquals(a, b, "same settings, same run");
        Matcher acc = Pattern.compile("\"testAccuracy\":([0-9.]+)").matcher(a);
        assertTrue(acc.find() && Double.parseDouble(acc.group(1)) > 0.9, "test accuracy " + (acc.find(0) ? acc.group(1) : "?"));
        assertTrue(last(a, "trainLoss") < 0.3, a.substring(0, 200));
        assertTrue(a.contains("\"grid\":40") && a.split(",").length > 1600, "a probability per grid point");
    }

    @Test
    void theEndpointsTrainAndReportBadSettings() throws Exception {
        try (DashboardServer server = new DashboardServer("127.0.0.1", 0)) {
            Playground.serve(server);
            var fresh = get(server.url() + "playground/new?dataset=xor&layers=6&activation=relu&optimizer=sgd&lr=0.3&batch=20&noise=0");
            assertEquals(200, fresh.status(), fresh.body());
            assertTrue(fresh.body().contains("\"epochs\":0"), fresh.body().substring(0, 100));
            var trained = get(server.url() + "playground/train?epochs=5");
            assertTrue(trained.body().contains("\"epochs\":5"), trained.body().substring(0, 100));
            var bad = get(server.url() + "playground/new?dataset=blobs");
            assertEquals(400, bad.status());
            assertTrue(bad.body().contains("'blobs'") && bad.body().contains("circles"), bad.body());
            assertEquals(400, get(server.url() + "playground/new?layers=4,x").status());
            assertEquals(200, get(server.url() + "playground.html").status());
        }
        assertThrows(IllegalArgumentException.class, () -> new Playground("moons", new int[] {4}, "tanh", "sgd", -1, 10, 0, 0));
    }

    private record Response(int status, String body) {}

    /** A GET with java.base's client (the module does not read java.net.http). */
    private static Response get(String url) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try {
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                return new Response(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            c.disconnect();
        }
    }
}
