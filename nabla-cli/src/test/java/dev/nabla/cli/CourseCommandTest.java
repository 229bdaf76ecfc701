package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CourseCommandTest {
    @Test
    void listsTheProgramsAndTheOtherCommands() {
        CliRun.Output r = CliRun.run("course");
        assertEquals(0, r.code(), r.err());
        for (String s : new String[] {"cross-entropy", "sigmoid-to-tanh", "softmax-stability", "logistic-regression",
                "outputs-and-losses", "batchnorm-batch-of-one", "linear-collapse", "vanishing", "symmetry", "./nabla explain"}) {
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
        }
    }

    @Test
    void runsOneByName(@TempDir Path dir) {
        CliRun.Output r = CliRun.run("course", "cross-entropy", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("H = −ln 0.1 = 2.302585") && r.out().contains("H = −ln 0.6 = 0.510826"), r.out());
        r = CliRun.run("course", "no-such-program");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no program 'no-such-program'"), r.err());
    }
}
