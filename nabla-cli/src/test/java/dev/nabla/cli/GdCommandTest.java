package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cli.expr.Expression;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code nabla gd}: the course's figures, the three behaviours, the table, the plots and the errors. */
class GdCommandTest {

    /** Runs nabla with args; returns {exit code, stdout, stderr}. */
    static Object[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out));
        cmd.setErr(new PrintWriter(err));
        int code = cmd.execute(args);
        return new Object[] {code, out.toString(), err.toString()};
    }

    static void assertPng(Path file, int width, int height) throws IOException {
        assertTrue(Files.size(file) > 1000, file + " is not empty");
        BufferedImage img = ImageIO.read(file.toFile());
        assertEquals(width, img.getWidth(), file.toString());
        assertEquals(height, img.getHeight(), file.toString());
    }

    private static final Expression COURSE = Expression.parse("x^2 + 4");

    @Test
    void theCourseRunReachesItsFigures() {
        Descent1D.Result r = Descent1D.run(COURSE, 10, 0.1, 30);
        assertEquals(31, r.rows().size());
        Descent1D.Row last = r.last();
        assertEquals(30, last.step());
        assertEquals(0.0123794004, last.x(), 1e-9);
        assertEquals(4.00015325, last.f(), 1e-9);
        assertEquals(10 * Math.pow(0.8, 30), last.x(), 1e-15);
        assertEquals(2 * last.x(), last.df(), 1e-15, "f' by autograd");
        for (Descent1D.Row row : r.rows()) assertEquals(10 * Math.pow(0.8, row.step()), row.x(), 1e-13);
        assertEquals(Descent1D.Behaviour.CONVERGES, r.behaviour());
        assertEquals(2, r.curvature(), 0);
        assertFalse(r.stoppedNonFinite());
    }

    @Test
    void lrOneOscillatesBetweenPlusAndMinusTen() {
        Descent1D.Result r = Descent1D.run(COURSE, 10, 1.0, 30);
        assertEquals(Descent1D.Behaviour.OSCILLATES, r.behaviour());
        for (Descent1D.Row row : r.rows()) {
            assertEquals(row.step() % 2 == 0 ? 10 : -10, row.x(), 0);
            assertEquals(104, row.f(), 0);
        }
        assertTrue(r.verdict().contains("between -10 and 10"), r.verdict());
    }

    @Test
    void leavingTheDomainIsNotADivergence() {
        // sqrt(x) from 1 with lr 5: x = 1 - 5 * 0.5 = -1.5, where sqrt is not defined
        Descent1D.Result r = Descent1D.run(Expression.parse("sqrt(x)"), 1, 5, 10);
        assertEquals(Descent1D.Behaviour.LEAVES_DOMAIN, r.behaviour());
        assertEquals(-1.5, r.last().x(), 0);
        assertTrue(r.verdict().startsWith("leaves the domain of f: the step to x = -1.5 at step 1 gives f(x) = NaN"), r.verdict());
    }

    @Test
    void aGrowingSlopeIsNotConvergence() {
        // x^3 from -1 descends for ever, ever more steeply: f falls, |f'| grows
        Descent1D.Result r = Descent1D.run(Expression.parse("x^3"), -1, 0.01, 20);
        assertEquals(Descent1D.Behaviour.DIVERGES, r.behaviour());
        assertTrue(r.verdict().contains("|f'(x)| grew from 3 to"), r.verdict());
        assertFalse(r.verdict().contains("converges"), r.verdict());
    }

    @Test
    void aboveOneItDivergesAndStopsWhenNotFinite() {
        Descent1D.Result r = Descent1D.run(COURSE, 10, 1.1, 30);
        assertEquals(Descent1D.Behaviour.DIVERGES, r.behaviour());
        assertEquals(10 * Math.pow(-1.2, 30), r.last().x(), 1e-6);
        for (int k = 1; k < r.rows().size(); k++) {
            assertTrue(Math.abs(r.rows().get(k).x()) > Math.abs(r.rows().get(k - 1).x()), "|x| grows");
        }
        Descent1D.Result blowUp = Descent1D.run(COURSE, 10, 1.5, 5000);
        assertEquals(Descent1D.Behaviour.DIVERGES, blowUp.behaviour());
        assertTrue(blowUp.stoppedNonFinite());
        assertTrue(blowUp.rows().size() < 600, "stopped early: " + blowUp.rows().size());
        assertTrue(blowUp.verdict().contains("became Infinity at step " + blowUp.last().step()), blowUp.verdict());
    }

    @Test
    void belowOneConvergesEvenWhenZigzagging() {
        Descent1D.Result r = Descent1D.run(COURSE, 10, 0.9, 30);
        assertEquals(Descent1D.Behaviour.CONVERGES, r.behaviour());
        assertTrue(r.verdict().contains("zigzagging"), r.verdict());
        assertEquals(10 * Math.pow(-0.8, 30), r.last().x(), 1e-13);
        Descent1D.Result done = Descent1D.run(COURSE, 10, 0.5, 3);
        assertEquals(0, done.rows().get(1).x(), 0, "lr = 1/f'' jumps to the minimum");
        assertTrue(done.verdict().startsWith("converges: |f'(x)| < "), done.verdict());
    }

    @Test
    void aNonQuadraticHasNoConstantCurvature() {
        Descent1D.Result r = Descent1D.run(Expression.parse("log(1 + exp(x)) - 0.3*x"), 2, 1, 200);
        assertTrue(Double.isNaN(r.curvature()));
        assertEquals(Descent1D.Behaviour.CONVERGES, r.behaviour());
        assertEquals(Math.log(0.3 / 0.7), r.last().x(), 1e-6, "σ(x) = 0.3");
        assertEquals(Descent1D.Behaviour.STATIONARY, Descent1D.run(COURSE, 0, 0.1, 5).behaviour());
    }

    @Test
    void theCommandPrintsTheTableTheVerdictAndWritesThePlots(@TempDir Path dir) throws IOException {
        Object[] r = run("gd", "x^2 + 4", "--x0", "10", "--lr", "0.1", "--steps", "30", "--out", dir.toString(), "--svg");
        assertEquals(0, r[0], (String) r[2]);
        String out = (String) r[1];
        assertTrue(out.contains("step                     x                  f(x)                 f'(x)"), out);
        assertTrue(out.contains("     0         10.0000000000        104.0000000000         20.0000000000"), out);
        assertTrue(out.contains("    30          0.0123794004          4.0001532496          0.0247588008"), out);
        assertTrue(out.contains("converges: f decreased from 104 to 4.00015325"), out);
        assertTrue(out.contains("2/f'' = 1"), out);
        for (String name : List.of("f-per-step", "path")) {
            assertPng(dir.resolve(name + ".png"), GdCommand.WIDTH, GdCommand.HEIGHT);
            assertTrue(Files.readString(dir.resolve(name + ".svg")).contains("<svg"));
            assertTrue(out.contains("plot: " + dir.resolve(name + ".png")), out);
        }
    }

    @Test
    void theCommandSaysOscillatesAndDiverges(@TempDir Path dir) throws IOException {
        Object[] osc = run("gd", "x^2 + 4", "--lr", "1.0", "--out", dir.toString());
        assertEquals(0, osc[0], (String) osc[2]);
        assertTrue(((String) osc[1]).contains("oscillates: x jumps between -10 and 10 and f stays at 104"), (String) osc[1]);
        Object[] div = run("gd", "x^2 + 4", "--lr", "1.5", "--steps", "2000", "--out", dir.toString());
        assertEquals(0, div[0], (String) div[2]);
        String out = (String) div[1];
        assertTrue(out.contains("diverges:") && out.contains("stopped there"), out);
        assertTrue(out.contains("steps not shown; --all prints every step"), out);
        assertPng(dir.resolve("path.png"), GdCommand.WIDTH, GdCommand.HEIGHT);
        Object[] neg = run("gd", "x^2 + 4", "--x0", "-3", "--steps", "1", "--out", dir.toString());
        assertEquals(0, neg[0], (String) neg[2]);
        assertTrue(((String) neg[1]).contains("     1         -2.4000000000"), (String) neg[1]);
    }

    @Test
    void errorsPointAtTheColumn(@TempDir Path dir) {
        Object[] r = run("gd", "x^2 + * 4", "--out", dir.toString());
        assertEquals(2, r[0]);
        assertEquals("nabla gd: column 7: expected a number, a variable, a function or '(' but found '*'\n"
                + "  x^2 + * 4\n"
                + "        ^\n", ((String) r[2]).replace("\r\n", "\n"));
        Object[] y = run("gd", "x^2 + y", "--out", dir.toString());
        assertEquals(2, y[0]);
        assertTrue(((String) y[2]).contains("gd needs a function of x alone"), (String) y[2]);
        Object[] z = run("gd", "x^2 + z", "--out", dir.toString());
        assertTrue(((String) z[2]).contains("valid names: variables x, y"), (String) z[2]);
        Object[] lr = run("gd", "x^2", "--lr", "-1", "--out", dir.toString());
        assertEquals(2, lr[0]);
        assertTrue(((String) lr[2]).contains("learning rate"), (String) lr[2]);
        Object[] nan = run("gd", "log(x)", "--x0", "-1", "--out", dir.toString());
        assertEquals(2, nan[0]);
        assertTrue(((String) nan[2]).contains("start where f is defined"), (String) nan[2]);
        assertFalse(Files.exists(dir.resolve("path.png")), "nothing written on errors");
    }
}
