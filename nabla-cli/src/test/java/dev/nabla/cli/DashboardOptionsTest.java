package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --dashboard on diagnose, the warning of --host, and a port already in use. */
class DashboardOptionsTest {
    @Test
    void diagnoseServesTheDashboardAndWarnsOffLoopback(@TempDir Path dir) {
        CliRun.Output r = CliRun.run("diagnose", "../examples/runge.json", "--epochs", "2", "--out", dir.toString(), "--dashboard", "0",
                "--host", "0.0.0.0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dashboard: http://0.0.0.0:"), r.out());
        assertTrue(r.err().contains("warning: the dashboard listens on 0.0.0.0") && r.err().contains("leave out --host"), r.err());
    }

    @Test
    void lrFindPublishesItsSweep(@TempDir Path dir) {
        CliRun.Output r = CliRun.run("lr-find", "../examples/runge.json", "--steps", "30", "--out", dir.toString(), "--dashboard", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dashboard: http://127.0.0.1:") && r.out().contains("suggested learning rate"), r.out());
    }

    @Test
    void theServerKeepsTheRunForLatePages() throws Exception {
        try (var server = new dev.nabla.dashboard.DashboardServer("127.0.0.1", 0)) {
            server.publish("{\"type\":\"begin\"}");
            server.publish("{\"type\":\"end\"}");
            HttpClient http = HttpClient.newHttpClient();
            assertEquals("[{\"type\":\"begin\"},{\"type\":\"end\"}]",
                    http.send(HttpRequest.newBuilder(URI.create(server.url() + "state")).build(), HttpResponse.BodyHandlers.ofString()).body());
            var page = http.send(HttpRequest.newBuilder(URI.create(server.url())).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(page.body().contains("vendor/uplot/dist/uPlot.iife.min.js") && !page.body().contains("//cdn"), page.body());
            var lib = http.send(HttpRequest.newBuilder(URI.create(server.url() + "vendor/uplot/LICENSE")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, lib.statusCode());
            assertTrue(lib.body().contains("MIT"), lib.body());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(server.url() + "../pom.xml")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aPortInUseIsAClearError(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliRun.Output r = CliRun.run("train", "../examples/runge.json", "--epochs", "1", "--out", dir.toString(), "--dashboard",
                    "" + taken.getLocalPort());
            assertEquals(1, r.code());
            assertTrue(r.err().contains("cannot serve on 127.0.0.1:" + taken.getLocalPort()) && r.err().contains("0 for any free one"), r.err());
        }
    }
}
