package dev.tensorfile.cli;

import dev.tensorfile.core.TensorFileException;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code tensorfile} command: {@code inspect}, {@code convert}, {@code verify}, {@code scan}.
 *
 * <p>Errors print {@code tensorfile: PATH: MESSAGE} on stderr and exit 2, with no stack trace unless
 * {@code --debug} is given.
 */
public final class Main {
    static final String USAGE = """
            usage: tensorfile COMMAND [OPTIONS] FILE...
              inspect FILE [--json] [--disassemble]   format, metadata and tensors (--disassemble: pickle opcodes)
              convert IN OUT [--to FORMAT] [--dtype DTYPE] [--strict]
                      [--max-shard-size SIZE] [--external-data] [--compress gzip[:LEVEL]]
              verify FILE                             full structural validation, every tensor read end to end
              scan FILE... [--json]                   safety verdict for pickle-based files (exit 0 safe, 1 not)
            FILE and IN may be http(s):// URLs, read with range requests: --token TOKEN (else $TENSORFILE_HTTP_TOKEN
              or $HF_TOKEN; sent only to the URL's own host), --allow-full-download (for servers without ranges)
            options for every command: --debug (stack traces and debug logging), --help, --version""";

    private Main() {}

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        boolean debug = Arrays.asList(args).contains("--debug");
        if (debug) System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        else System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        int status = run(Arrays.asList(args), out, err);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs a command line; returns the exit status. */
    static int run(List<String> argv, PrintStream out, PrintStream err) {
        List<String> args = argv.stream().filter(a -> !a.equals("--debug")).toList();
        boolean debug = args.size() != argv.size();
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("help")) {
            (args.isEmpty() ? err : out).println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        if (args.getFirst().equals("--version")) {
            out.println("tensorfile " + version());
            return 0;
        }
        Command command = switch (args.getFirst()) {
            case "inspect" -> new InspectCommand();
            case "convert" -> new ConvertCommand();
            case "verify" -> new VerifyCommand();
            case "scan" -> new ScanCommand();
            default -> null;
        };
        if (command == null) {
            err.println("tensorfile: unknown command '" + args.getFirst() + "'");
            err.println(USAGE);
            return 2;
        }
        List<String> rest = args.subList(1, args.size());
        if (rest.contains("--help")) {
            out.println(USAGE);
            return 0;
        }
        Failure onError = new Failure(err, debug);
        try {
            return command.run(rest, out, err, onError);
        } catch (UsageException e) {
            err.println("tensorfile: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    private static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    /** One subcommand. */
    interface Command {
        int run(List<String> args, PrintStream out, PrintStream err, Failure onError);
    }

    /** Reports a failure on one file in the error contract's form and answers exit status 2. */
    record Failure(PrintStream err, boolean debug) {
        int report(String path, Throwable e) {
            err.println("tensorfile: " + path + ": " + describe(e));
            if (debug) e.printStackTrace(err);
            return 2;
        }

        private static String describe(Throwable e) {
            String what = describeOrNull(e);
            // A library exception without a message must still say something more useful than "null".
            return what != null ? what : e.getClass().getSimpleName() + " (no message; --debug shows where)";
        }

        private static String describeOrNull(Throwable e) {
            return switch (e) {
                case TensorFileException t -> t.detail();
                case UncheckedIOException u -> "I/O error: " + u.getCause().getMessage();
                case java.io.IOException io -> "I/O error: " + io.getMessage();
                case UnsupportedOperationException u -> u.getMessage();
                case IllegalArgumentException i -> i.getMessage();
                case IllegalStateException i -> i.getMessage();
                // Defence in depth: the readers bound their memory and recursion, so these are bugs to report;
                // the user still gets one clean line rather than a JVM crash dump.
                case StackOverflowError s -> "structure nested too deeply to read (internal error, please report)";
                case VirtualMachineError v -> "the file needs more memory than this JVM has (internal error, please report)";
                default -> "internal error: " + e;
            };
        }
    }
}
