package dev.tensorfile.gguf.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Which kernels a JVM gets; run with {@code --add-modules jdk.incubator.vector} (Panama expected) and again in the
 * {@code scalar-fallback} execution without it (plain Java expected, explicit {@code panama} refused).
 */
class DotChoiceTest {
    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    @Test
    void activeImplementationFollowsTheBootLayer() {
        assertEquals(VECTOR ? "panama" : "scalar", QuantizedKernels.implementation());
    }

    @Test
    void scalarCanBeForced() {
        assertEquals("scalar", DotChoice.choose("scalar").name());
    }

    @Test
    void explicitPanamaWithoutTheModuleFailsAtStartUp() {
        assumeFalse(VECTOR, "the Vector API is present in this run");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DotChoice.choose("panama"));
        assertTrue(e.getMessage().contains("tensorfile.quant=panama cannot be honoured"), e.getMessage());
    }
}
