package dev.nabla.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The provider's choice and what it tells the user; this class runs in both surefire executions
 * (SIMD, and -Dnabla.simd=false), so it also checks that each got the kernels it asked for.
 */
class KernelProviderTest {
    private static List<LogRecord> choose(String property, boolean modulePresent, Class<?> expected) {
        Logger log = Logger.getAnonymousLogger();
        log.setUseParentHandlers(false);
        List<LogRecord> records = new ArrayList<>();
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        assertInstanceOf(expected, KernelProvider.lookup(property, modulePresent, log));
        assertEquals(1, records.size(), "one log line");
        return records;
    }

    @Test
    void fallingBackForLackOfTheModuleWarnsHowToGetTheFastKernels() {
        LogRecord r = choose(null, false, ScalarKernelProvider.class).get(0);
        assertEquals(Level.WARNING, r.getLevel());
        assertTrue(r.getMessage().contains("--add-modules jdk.incubator.vector"), r.getMessage());
    }

    @Test
    void choosingTheScalarKernelsOnPurposeIsInfo() {
        LogRecord r = choose("false", true, ScalarKernelProvider.class).get(0);
        assertEquals(Level.INFO, r.getLevel());
        assertTrue(r.getMessage().contains("scalar"), r.getMessage());
    }

    @Test
    void thePanamaKernelsAreChosenWhenTheModuleIsPresent() {
        LogRecord r = choose(null, true, PanamaKernelProvider.class).get(0);
        assertEquals(Level.INFO, r.getLevel());
        assertTrue(r.getMessage().contains("Panama"), r.getMessage());
    }

    @Test
    void thisJvmRunsTheKernelsItAskedFor() {
        boolean scalarWanted = "false".equalsIgnoreCase(System.getProperty("nabla.simd"));
        assertEquals(!scalarWanted, KernelProvider.get().simd(), KernelProvider.describe());
        assertSame(KernelProvider.get(), KernelProvider.get());
        assertFalse(KernelProvider.scalar().simd());
        assertTrue(KernelProvider.panama().simd());
    }
}
