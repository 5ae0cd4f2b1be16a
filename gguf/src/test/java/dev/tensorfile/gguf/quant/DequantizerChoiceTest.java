package dev.tensorfile.gguf.quant;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Which dequantizers a JVM gets. Surefire runs this class twice: with {@code --add-modules jdk.incubator.vector}
 * (Panama expected) and in the {@code scalar-fallback} execution without it (scalar expected, and an explicit
 * {@code panama} request must fail at start-up).
 */
class DequantizerChoiceTest {
    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    @Test
    void activeImplementationFollowsTheBootLayer() {
        assertEquals(VECTOR ? "panama" : "scalar", GgmlBlockCodecProvider.implementation());
    }

    @Test
    void scalarCanBeForced() {
        assertEquals("scalar", DequantizerChoice.choose("scalar").name());
    }

    @Test
    void autoWithoutTheModuleFallsBackToScalar() {
        assertEquals(VECTOR ? "panama" : "scalar", DequantizerChoice.choose("auto").name());
    }

    @Test
    void explicitPanamaWithoutTheModuleFailsAtStartUp() {
        assumeFalse(VECTOR, "the Vector API is present in this run");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DequantizerChoice.choose("panama"));
        assertTrue(e.getMessage().contains("tensorfile.quant=panama cannot be honoured"), e.getMessage());
        assertTrue(e.getMessage().contains("jdk.incubator.vector"), e.getMessage());
    }

    @Test
    void unknownModeIsRejected() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DequantizerChoice.choose("gpu"));
        assertTrue(e.getMessage().contains("auto, scalar or panama"), e.getMessage());
    }
}
