/**
 * tensorfile test framework: what every format module's tests share (Lucene's test-framework is the model).
 * {@link dev.tensorfile.testframework.TensorFileContract} is the contract every format's reader keeps, {@link
 * dev.tensorfile.testframework.TensorWriterContract} the one every writer keeps. Used at test scope only.
 */
module dev.tensorfile.testframework {
    requires transitive dev.tensorfile.core;
    requires transitive com.fasterxml.jackson.databind;
    requires transitive org.junit.jupiter.api;

    exports dev.tensorfile.testframework;
}
