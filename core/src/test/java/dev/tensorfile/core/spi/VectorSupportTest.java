package dev.tensorfile.core.spi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one reading of {@code tensorfile.quant}: every value core and GGUF accept or refuse, alike. Surefire runs this
 * with and without the incubator module (the scalar-fallback execution); GGUF's {@code DequantizerChoiceTest} goes
 * through the same class.
 */
class VectorSupportTest {
    private static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    @Test
    void valuesParseWhateverTheirCaseAndBlanks() {
        assertEquals(VectorSupport.Mode.AUTO, VectorSupport.parse("auto"));
        assertEquals(VectorSupport.Mode.SCALAR, VectorSupport.parse(" Scalar "));
        assertEquals(VectorSupport.Mode.PANAMA, VectorSupport.parse("PANAMA"));
    }

    @Test
    void anyOtherValueIsRefusedNamingTheProperty() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> VectorSupport.parse("gpu"));
        assertEquals("tensorfile.quant must be auto, scalar or panama, not 'gpu'", e.getMessage());
    }

    @Test
    void scalarNeverUsesTheVectorApiAndAutoFollowsTheBootLayer() {
        assertFalse(VectorSupport.useVectorApi(VectorSupport.Mode.SCALAR));
        assertEquals(VECTOR, VectorSupport.useVectorApi(VectorSupport.Mode.AUTO));
        assertEquals(VECTOR, VectorSupport.unavailableReason() == null);
    }

    @Test
    void panamaIsHonouredOrRefused() {
        if (VECTOR) {
            assertTrue(VectorSupport.useVectorApi(VectorSupport.Mode.PANAMA));
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> VectorSupport.useVectorApi(VectorSupport.Mode.PANAMA));
            assertTrue(e.getMessage().startsWith("tensorfile.quant=panama cannot be honoured: jdk.incubator.vector"));
        }
    }
}
