/** The {@code tensorfile} command-line tool. Formats are found at run time through {@link java.util.ServiceLoader}. */
module dev.tensorfile.cli {
    requires dev.tensorfile.core;
    requires com.fasterxml.jackson.databind;
}
