package dev.tensorfile.cli;

/** The command line itself is wrong: printed with the usage hint, exit 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) { super(message); }
}
