/**
 * tensorfile test framework: what every format module's tests share (Lucene's test-framework is the model).
 * <ul>
 *   <li>{@link dev.tensorfile.testframework.TensorFileContract}: the contract every format's reader keeps, run over
 *       each format's fixtures;</li>
 *   <li>{@link dev.tensorfile.testframework.TensorWriterContract}: the contract every writer keeps (round trips of
 *       every storable dtype, refusals, atomic commit);</li>
 *   <li>{@link dev.tensorfile.testframework.Fixtures}: finds test resources and reads their manifests;</li>
 *   <li>{@link dev.tensorfile.testframework.Hostile}: the one assertion of the hostile-input suites.</li>
 * </ul>
 * A test library: JUnit is a compile dependency here, and modules take this one at test scope only.
 */
module dev.tensorfile.testframework {
    requires transitive dev.tensorfile.core;
    requires transitive com.fasterxml.jackson.databind;
    requires transitive org.junit.jupiter.api;

    exports dev.tensorfile.testframework;
}
