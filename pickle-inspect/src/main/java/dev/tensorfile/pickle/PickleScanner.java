package dev.tensorfile.pickle;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.core.spi.ContentScanner;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.ZipArchive;
import dev.tensorfile.pickle.scan.Classifier;
import dev.tensorfile.pickle.scan.ContainerWalk;
import dev.tensorfile.pickle.scan.DisassemblyVisitor;
import dev.tensorfile.pickle.scan.ScanVisitor;
import dev.tensorfile.pickle.torch.ShardIndex;
import dev.tensorfile.pickle.vm.PickleLimits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Judges whether a file is safe to hand to Python's unpickler, without running anything: every pickle it holds —
 * consecutive pickles in one stream, pickles in any ZIP entry (stored or deflated, any name), a ZIP appended after
 * a pickle, compressed joblib files, object arrays in {@code .npy} — is run on a machine that never executes, and
 * every global it references is classified against an allow-list of data-only constructs.
 *
 * <pre>{@code
 * ScanReport r = new PickleScanner().scan(Path.of("pytorch_model.bin"), ReadLimits.DEFAULT);
 * if (r.verdict() != Verdict.SAFE) r.findings().forEach(f -> System.err.println(f.global() + ": " + f.detail()));
 * // a project's own data classes, vetted by its authors:
 * PickleScanner mine = new PickleScanner().allowing("mypkg.config.TrainConfig");
 * }</pre>
 *
 * <p>The verdict: {@link Verdict#SAFE} when every global is allow-listed; {@link Verdict#DANGEROUS} when any global
 * reaches code, processes, files, the network or the interpreter, or cannot be known without running the pickle (a
 * STACK_GLOBAL on computed strings, a call of a computed value, an extension-registry code); {@link Verdict#UNKNOWN}
 * otherwise, including a stream that breaks off (what came before it is still judged: Python runs opcodes as it
 * reads them), an archive or compression the scanner does not open (7z, RAR, zstd, an encrypted ZIP entry ...),
 * and a file it cannot identify at all (empty, an image, a pickle that stops before it says anything). A file
 * without pickles is SAFE only when it is an archive the scanner opened or a data-only format (safetensors, GGUF,
 * ONNX, HDF5 ...: any format registered with {@link TensorFiles} outside the pickle family) claims it.
 */
public final class PickleScanner implements ContentScanner {
    private final Classifier classifier;
    private final Set<String> extraAllowed;

    /** A scanner with the built-in allow-list (see docs/pickle-scanner.md). */
    public PickleScanner() { this(Set.of()); }

    private PickleScanner(Set<String> extraAllowed) {
        this.extraAllowed = Set.copyOf(extraAllowed);
        this.classifier = new Classifier(this.extraAllowed);
    }

    /**
     * A scanner that also treats these globals ({@code module.name}, exactly as the pickle names them after
     * Python 2 name mapping) as safe. Use it for your own data-only classes. Modules that execute code or reach the
     * operating system ({@code os}, {@code sys}, {@code subprocess}, {@code builtins.eval} ...) stay dangerous
     * whatever is allowed.
     */
    public PickleScanner allowing(String... qualifiedNames) {
        Set<String> all = new LinkedHashSet<>(extraAllowed);
        for (String q : qualifiedNames) {
            Objects.requireNonNull(q);
            if (q.indexOf('.') <= 0) throw new IllegalArgumentException("'" + q + "' is not module.name");
            all.add(q);
        }
        return new PickleScanner(all);
    }

    /** How this scanner judges one global: {@code SAFE}, {@code UNKNOWN} or {@code DANGEROUS}. */
    public Verdict classify(String module, String name) { return classifier.classify(module, name).verdict(); }

    @Override
    public ScanReport scan(Path path, ReadLimits limits) {
        try (MappedFile mapped = MappedFile.open(path, "pickle")) {
            ScanVisitor v = new ScanVisitor(path, limits, classifier);
            String unrecognized = new ContainerWalk(path, limits, v).region(mapped.segment(), 0, "", 0);
            if (unrecognized != null) judgeUnrecognized(path, mapped.segment(), unrecognized, v);
            Verdict verdict = Verdict.SAFE;
            for (ScanFinding f : v.findings()) if (f.severity().compareTo(verdict) > 0) verdict = f.severity();
            return new ScanReport(path, verdict, v.findings());
        }
    }

    /**
     * A remote PyTorch, TorchScript or npz archive is scanned through range requests: its tail and central directory,
     * then each entry that may hold a pickle. Tensor data are not fetched: storage records ({@code data/N}, which
     * torch never unpickles) are not read at all, and of a stored {@code .npy} only the header is, unless it is an
     * object array (a pickle). Any other remote file is left to a download (empty).
     */
    @Override
    public java.util.Optional<ScanReport> scanRemote(MappedFile file, ReadLimits limits) {
        if (Container.recognizeZip(file) == null) return java.util.Optional.empty();
        ZipArchive zip;
        try {
            zip = ZipArchive.read(file, "zip", limits.maxCollectionSize(), limits.maxHeaderBytes());
        } catch (MalformedFileException e) {
            return java.util.Optional.empty(); // scanned as a local file says what is wrong with it
        }
        ScanVisitor v = new ScanVisitor(file.path(), limits, classifier);
        ContainerWalk.remoteArchive(file, zip, limits, v);
        Verdict verdict = Verdict.SAFE;
        for (ScanFinding f : v.findings()) if (f.severity().compareTo(verdict) > 0) verdict = f.severity();
        return java.util.Optional.of(new ScanReport(file.path(), verdict, v.findings()));
    }

    /**
     * A file in which the walk found nothing it could judge: no pickle that parses, no container it opens. Safe only
     * when a data-only format (one that holds no pickles: safetensors, GGUF, ONNX, HDF5 ...) claims it, since then
     * no loader unpickles any of it; anything else — an empty file, an image named {@code .pt}, a pickle that
     * breaks off before it says anything — is unknown, with the reason, for a scanner that calls what it could not
     * read "safe" is one an attacker only has to confuse.
     */
    private static void judgeUnrecognized(Path path, MemorySegment content, String why, ScanVisitor v) {
        for (TensorFormat f : TensorFiles.formats()) {
            if (f instanceof PickleFamilyFormat) continue;
            TensorFormat.Recognition r;
            try {
                r = f.recognize(path, content);
            } catch (RuntimeException e) {
                continue;
            }
            if (r == TensorFormat.Recognition.NO) continue;
            v.add("(data-only format)", Verdict.SAFE, "", 0, f.name() + (r == TensorFormat.Recognition.CONTENT
                    ? " file: a data-only format, nothing in it is unpickled"
                    : " file by its name, and its bytes are no pickle: nothing in it is unpickled"));
            return;
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (ShardIndex.isIndexName(name)) {
            v.add("(shard index)", Verdict.SAFE, "", 0, "a shard index (JSON) naming the shard files: scan each shard");
            return;
        }
        v.add("(not recognized)", Verdict.UNKNOWN, "", 0, why);
    }

    @Override
    public void disassemble(Path path, Appendable out) throws IOException {
        try (MappedFile mapped = MappedFile.open(path, "pickle")) {
            String unrecognized = new ContainerWalk(path, ReadLimits.DEFAULT,
                    new DisassemblyVisitor(path, out, PickleLimits.from(ReadLimits.DEFAULT))).region(mapped.segment(), 0, "", 0);
            if (unrecognized != null) out.append("# ").append(unrecognized).append('\n');
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
