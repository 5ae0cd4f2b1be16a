package dev.tensorfile.cli;

import dev.tensorfile.core.Converter;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.core.WriteOptions;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code tensorfile convert IN OUT [--to FORMAT] [--dtype DTYPE] [--strict] [writer options]}: flags onto
 * {@link Converter} and {@link WriteOptions} keys, and nothing else. The conversion itself (what the writer keeps
 * of the source, what it refuses) is the library's, so a library user converts exactly as the CLI does.
 */
final class ConvertCommand implements Main.Command {
    private static final Set<String> PICKLE_FORMATS = Set.of("pytorch", "torchscript", "pickle", "joblib", "npy");

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err, Main.Failure onError) {
        Arguments args = Arguments.parse(argv, Sources.flags("strict", "external-data"),
                Sources.valued("to", "dtype", "max-shard-size", "compress", "max-shard-tensors"));
        if (args.operands().size() != 2) throw new UsageException("convert takes IN and OUT");
        String in = args.operands().get(0);
        Path outPath = Path.of(args.operands().get(1));
        DType dtype = null;
        if (args.option("dtype") != null) {
            dtype = DType.byName(args.option("dtype").toUpperCase(Locale.ROOT));
            if (dtype == null || !dtype.isFloating()) {
                throw new UsageException("--dtype takes F32, F16, BF16 or a GGML block type (Q8_0, Q4_K, ...), not "
                        + args.option("dtype"));
            }
        }
        TensorFormat format;
        if (args.option("to") != null) {
            format = TensorFiles.format(args.option("to")).orElseThrow(() -> new UsageException("unknown format '"
                    + args.option("to") + "'; known: " + TensorFiles.formats().stream().map(TensorFormat::name).toList()));
        } else {
            format = TensorFiles.formatForName(outPath).orElseThrow(() -> new UsageException(
                    "cannot tell the output format from '" + outPath.getFileName() + "'; give --to FORMAT"));
        }
        try (TensorFile source = Sources.open(in, args)) {
            if (PICKLE_FORMATS.contains(source.format())) warnFindings(in, args, err);
            Map<String, String> options = new HashMap<>();
            for (String key : List.of(WriteOptions.MAX_SHARD_SIZE, WriteOptions.COMPRESS, WriteOptions.MAX_SHARD_TENSORS)) {
                if (args.option(key) != null) options.put(key, args.option(key));
            }
            if (args.has(WriteOptions.EXTERNAL_DATA)) options.put(WriteOptions.EXTERNAL_DATA, "true");
            Converter.Report report = Converter.from(source).format(format).dtype(dtype)
                    .options(new WriteOptions(options)).strict(args.has("strict"))
                    .listener(Progress.forTerminal(err)).to(outPath);
            for (UnsupportedEntry s : report.skipped()) err.println("tensorfile: " + in + ": skipped " + s.name() + ": " + s.description());
            for (String note : report.notes()) err.println("tensorfile: " + outPath + ": note: " + note);
            return 0;
        } catch (RuntimeException | Error e) {
            String where = e instanceof TensorFileException t && t.file() != null ? t.file().toString() : in;
            return onError.report(where, e);
        }
    }

    /** Converting never executes a pickle, so it is the remedy for an unsafe file; say what was found. */
    private static void warnFindings(String in, Arguments args, PrintStream err) {
        ScanReport r = Sources.scan(in, args);
        if (r.verdict() == Verdict.SAFE) return;
        err.println("tensorfile: warning: " + in + ": scan verdict " + r.verdict().jsonName()
                + " (nothing is executed while converting)");
        for (ScanFinding f : r.findings()) {
            if (f.severity() == Verdict.SAFE) continue;
            err.println("tensorfile: warning: " + in + ": " + f.severity().jsonName() + " global " + f.global()
                    + " at " + (f.entry().isEmpty() ? "" : f.entry() + "@") + f.offset());
        }
    }

    /** Progress on stderr when it is a terminal; silent otherwise. */
    private static final class Progress implements Converter.Listener {
        private final PrintStream err;
        private long lastPrint;

        private Progress(PrintStream err) { this.err = err; }

        static Converter.Listener forTerminal(PrintStream err) {
            java.io.Console c = System.console();
            return c != null && c.isTerminal() ? new Progress(err) : new Converter.Listener() {};
        }

        @Override
        public void tensor(int index, int count, TensorInfo target) {
            err.printf("\r[%d/%d] %-60.60s", index + 1, count, target.name());
        }

        @Override
        public void progress(long done, long total) {
            long now = System.nanoTime();
            if (now - lastPrint < 200_000_000L && done < total) return;
            lastPrint = now;
            err.printf("\r%5.1f%% of %s ", total == 0 ? 100.0 : 100.0 * done / total, Bytes.human(total));
            if (done >= total) err.println();
        }
    }
}
