package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla train --dashboard} in a real browser: the Runge experiment trains with the
 * dashboard on, headless Chromium opens the page while it runs, and the test waits for the
 * curves to fill in, then checks the page's values against what the command printed, a reload,
 * and a screenshot. Needs /usr/bin/chromium (.ci/run installs it); skipped without it except on CI.
 */
class DashboardBrowserTest {
    private static final int EPOCHS = 40;

    @Test
    void theDashboardShowsTheRunLiveAndAfterIt(@TempDir Path dir) throws Exception {
        assumeChromium();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        Thread command;
        int[] code = {-1};
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            command = Thread.ofPlatform().start(() -> code[0] = Main.commandLine().execute("train", "../examples/runge.json", "--epochs",
                    "" + EPOCHS, "--out", dir.resolve("out").toString(), "--dashboard", "0", "--keep-serving"));
            String url = await(captured, Pattern.compile("dashboard: (http://\\S+)"));
            try (HeadlessChromium browser = new HeadlessChromium(url, dir.resolve("chromium"))) {
                // live: the loss curve gains points while training runs, and the page ends in the finished state
                browser.await("document.getElementById('loss').dataset.points >= 1", Duration.ofSeconds(30));
                browser.await("document.getElementById('status').className === 'finished'", Duration.ofSeconds(40));
                await(captured, Pattern.compile("(still serving)"));
                checkFinalPage(browser, captured.toString(StandardCharsets.UTF_8));
                // the server keeps the run: a reload shows it all again
                browser.call("Page.reload", "{}");
                browser.await("document.getElementById('status').className === 'finished'", Duration.ofSeconds(20));
                checkFinalPage(browser, captured.toString(StandardCharsets.UTF_8));
                checkScreenshot(browser.screenshot(), dir.resolve("dashboard.png"));
            }
            command.interrupt(); // ends --keep-serving
            command.join(20_000);
        } finally {
            System.setOut(out);
        }
        assertEquals(1, code[0], "interrupted while serving, the command ends"); // picocli's code for an exception
        HttpClient http = HttpClient.newHttpClient();
        String url = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("dashboard: http")).findFirst().orElseThrow()
                .substring("dashboard: ".length());
        assertThrows(ConnectException.class, () -> http.send(HttpRequest.newBuilder(URI.create(url + "state")).build(),
                HttpResponse.BodyHandlers.ofString()), "the server stops with the command");
    }

    @Test
    void lrFindShowsItsSweep(@TempDir Path dir) throws Exception {
        assumeChromium();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Thread command = Thread.ofPlatform().start(() -> Main.commandLine().execute("lr-find", "../examples/runge.json", "--steps", "50",
                    "--out", dir.toString(), "--dashboard", "0", "--keep-serving"));
            String url = await(captured, Pattern.compile("still serving (http://\\S+)"));
            try (HeadlessChromium browser = new HeadlessChromium(url, dir.resolve("chromium"))) {
                browser.await("document.getElementById('status').className === 'finished'", Duration.ofSeconds(30));
                Matcher m = Pattern.compile("suggested learning rate: (\\S+)").matcher(captured.toString(StandardCharsets.UTF_8));
                assertTrue(m.find());
                assertEquals("finished: suggested learning rate " + m.group(1), browser.eval("document.getElementById('status').textContent"));
                Matcher stopped = Pattern.compile("stopped after (\\d+) steps").matcher(captured.toString(StandardCharsets.UTF_8));
                assertEquals(stopped.find() ? stopped.group(1) : "50", browser.eval("document.getElementById('loss').dataset.points"),
                        "a point per step of the sweep");
            }
            command.interrupt();
            command.join(20_000);
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void thePlaygroundTrainsWhenTheButtonIsPressed(@TempDir Path dir) throws Exception {
        assumeChromium();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Thread command = Thread.ofPlatform().start(() -> Main.commandLine().execute("playground", "--port", "0"));
            String url = await(captured, Pattern.compile("playground: (http://\\S+)"));
            try (HeadlessChromium browser = new HeadlessChromium(url, dir.resolve("chromium"))) {
                browser.await("document.getElementById('loss').dataset.points === '0'", Duration.ofSeconds(20)); // a new network drawn
                browser.eval("document.querySelector('select[name=dataset]').value = 'xor'");
                browser.eval("document.getElementById('reset').click()");
                browser.await("document.getElementById('epoch').textContent === '0'", Duration.ofSeconds(20));
                browser.eval("document.getElementById('train').click()");
                browser.await("Number(document.getElementById('loss').dataset.points) >= 6", Duration.ofSeconds(40));
                browser.eval("document.getElementById('train').click()"); // pause
                // 'paused' only once the request in flight when the button was pressed has landed and been drawn
                browser.await("document.getElementById('status').textContent === 'paused'", Duration.ofSeconds(20));
                int epochs = Integer.parseInt(browser.eval("document.getElementById('epoch').textContent"));
                assertTrue(epochs >= 6 && epochs % 2 == 0, "trained 2 epochs a request: " + epochs);
                assertEquals("" + epochs, browser.eval("document.getElementById('loss').dataset.points"));
                // the boundary is drawn: the canvas holds both classes' colours
                String colours = browser.eval("(() => { const d = document.getElementById('boundary').getContext('2d')"
                        + ".getImageData(0, 0, 400, 400).data; const s = new Set(); for (let i = 0; i < d.length; i += 4) "
                        + "s.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]); return s.size; })()");
                assertTrue(Integer.parseInt(colours) > 20, colours + " colours on the canvas");
            }
            command.interrupt();
            command.join(20_000);
        } finally {
            System.setOut(out);
        }
    }

    private static void assumeChromium() {
        if (!Files.isExecutable(HeadlessChromium.BINARY)) {
            Assumptions.assumeTrue(System.getenv("CI") == null, "CI must have chromium (.ci/run installs it)");
            Assumptions.abort("no /usr/bin/chromium: apt-get install -y chromium");
        }
    }

    private static void checkFinalPage(HeadlessChromium b, String printed) throws Exception {
        assertEquals("" + EPOCHS, b.eval("document.getElementById('loss').dataset.points"));
        assertEquals("" + EPOCHS, b.eval("document.getElementById('grad').dataset.points"));
        assertEquals("100", b.eval("document.getElementById('fit').dataset.points"), "the Runge test points");
        assertTrue(Integer.parseInt(b.eval("document.getElementById('steps').dataset.points")) >= EPOCHS, "a step point per epoch at least");
        assertEquals("finished: " + EPOCHS + " epochs", b.eval("document.getElementById('status').textContent").replaceAll(" in .*", ""));
        assertEquals("1", b.eval("document.getElementById('progress').value"));
        // the last epoch's losses on the page are those the command printed ("final: loss 1.2345e-02, mae ..., val_loss ...")
        Matcher m = Pattern.compile("final: loss (\\S+), mae (\\S+), val_loss (\\S+),").matcher(printed);
        assertTrue(m.find(), printed);
        for (String[] k : new String[][] {{"loss", m.group(1)}, {"mae", m.group(2)}, {"val_loss", m.group(3)}}) {
            double page = Double.parseDouble(b.eval("run.logs[run.logs.length - 1]['" + k[0] + "']"));
            double cli = Double.parseDouble(k[1]);
            assertEquals(cli, page, 1e-4 * Math.abs(cli), k[0]);
        }
        assertEquals("5", b.eval("Object.keys(run.grad).length"), "the 5 Linear layers' gradient norms");
    }

    private static void checkScreenshot(byte[] png, Path keep) throws IOException {
        Files.write(keep, png);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(1200, img.getWidth());
        Set<Integer> colors = new HashSet<>();
        int blue = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                colors.add(rgb);
                if (rgb == 0x1565c0) blue++; // the first series' colour: the curves are drawn
            }
        }
        assertTrue(colors.size() > 50, "a blank page: " + colors.size() + " colours");
        assertTrue(blue > 100, "the curves' blue is missing: " + blue + " pixels");
    }

    private static String await(ByteArrayOutputStream captured, Pattern p) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            Matcher m = p.matcher(captured.toString(StandardCharsets.UTF_8));
            if (m.find()) return m.group(1);
            Thread.sleep(100);
        }
        throw new AssertionError("never printed " + p + ":\n" + captured.toString(StandardCharsets.UTF_8));
    }
}
