package dev.tensorfile.pickle;

import dev.tensorfile.pickle.archive.Containers;
import dev.tensorfile.core.spi.ZipArchive;
import dev.tensorfile.pickle.numpy.Siblings;
import dev.tensorfile.pickle.scan.Classifier;
import dev.tensorfile.pickle.torch.ShardIndex;
import dev.tensorfile.pickle.vm.Disassembly;
import dev.tensorfile.pickle.vm.Opcode;
import dev.tensorfile.pickle.vm.PValue;
import dev.tensorfile.pickle.vm.PickleLimits;
import dev.tensorfile.pickle.vm.PickleMachine;
import dev.tensorfile.pickle.vm.Values;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.ContentScanner;
import dev.tensorfile.core.spi.MappedFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
    private static final int MAX_FINDINGS = 1000;
    private static final int MAX_DEPTH = 3;

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
            ScanVisitor v = new ScanVisitor(path, limits);
            String unrecognized = new Walk(path, limits, v).region(mapped.segment(), 0, "", 0);
            if (unrecognized != null) judgeUnrecognized(path, mapped.segment(), unrecognized, v);
            Verdict verdict = Verdict.SAFE;
            for (ScanFinding f : v.findings) if (f.severity().compareTo(verdict) > 0) verdict = f.severity();
            return new ScanReport(path, verdict, v.findings);
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
        if (PickleReader.zipFamily(file) == null) return java.util.Optional.empty();
        ZipArchive zip;
        try {
            zip = ZipArchive.read(file, "zip", limits.maxCollectionSize(), limits.maxHeaderBytes());
        } catch (MalformedFileException e) {
            return java.util.Optional.empty(); // scanned as a local file says what is wrong with it
        }
        ScanVisitor v = new ScanVisitor(file.path(), limits);
        Walk w = new Walk(file.path(), limits, v);
        w.remote = file;
        w.zip(zip, zip.start() > 0 ? file.window(0, zip.start()) : MemorySegment.NULL, 0, "", 0);
        Verdict verdict = Verdict.SAFE;
        for (ScanFinding f : v.findings) if (f.severity().compareTo(verdict) > 0) verdict = f.severity();
        return java.util.Optional.of(new ScanReport(file.path(), verdict, v.findings));
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
            String unrecognized = new Walk(path, ReadLimits.DEFAULT,
                    new DisassemblyVisitor(path, out, PickleLimits.from(ReadLimits.DEFAULT))).region(mapped.segment(), 0, "", 0);
            if (unrecognized != null) out.append("# ").append(unrecognized).append('\n');
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** What is done with each pickle stream the walk finds. */
    interface StreamVisitor {
        /**
         * A region that holds one or more consecutive pickles.
         *
         * @return null when the stream was judged (parsed, or a finding says where it broke off); otherwise why it is
         *     not a pickle at all (it fails before it references anything)
         */
        String stream(MemorySegment region, long base, String entry, boolean sniffed);

        /** Something about a container that a careful reader would refuse, or could not read. */
        void containerProblem(String entry, long offset, String what, Verdict severity);
    }

    /**
     * Finds every pickle in a file: ZIP archives (by end record, anywhere), their entries recursively, what precedes
     * an appended archive, compressed joblib, {@code .npy} object arrays, and plain streams.
     */
    static final class Walk {
        private final Path path;
        private final ReadLimits limits;
        private final StreamVisitor visitor;
        /** The remote file whose top-level archive is walked, reading entries through windows; null otherwise. */
        MappedFile remote;

        Walk(Path path, ReadLimits limits, StreamVisitor visitor) {
            this.path = path;
            this.limits = limits;
            this.visitor = visitor;
        }

        /**
         * Finds and judges what a region holds.
         *
         * @return null when the region was judged: a pickle parsed, a container opened, or a finding names what could
         *     not be read; otherwise why nothing in it could be identified (the caller decides what that means)
         */
        String region(MemorySegment s, long base, String entry, int depth) {
            if (s.byteSize() == 0) return "an empty file: nothing a loader could read";
            if (ZipArchive.hasEndRecord(s) || Containers.isZipAt(s, 0)) {
                ZipArchive zip;
                try {
                    zip = ZipArchive.read(s, path, "zip", limits.maxCollectionSize());
                } catch (MalformedFileException e) {
                    if (Containers.isZipAt(s, 0)) {
                        visitor.containerProblem(entry, base, "unreadable zip archive: " + e.getMessage(), Verdict.UNKNOWN);
                        return null;
                    }
                    zip = null; // an end-record signature inside other data: not an archive
                }
                if (zip != null) {
                    zip(zip, s.asSlice(0, zip.start()), base, entry, depth);
                    return null;
                }
            }
            if (Containers.startsWith(s, 0, Containers.NPY_MAGIC)) {
                npy(s, base, entry);
                return null;
            }
            if (isTar(s)) {
                if (depth >= MAX_DEPTH) {
                    visitor.containerProblem(entry, base, "tar archives nested more than " + MAX_DEPTH + " deep were not scanned", Verdict.UNKNOWN);
                    return null;
                }
                tar(s, base, entry, depth);
                // a tar header can also be the start of a pickle (a polyglot): judge the bytes as a stream too
                if (Containers.mayBePickle(s, 0)) visitor.stream(s, base, entry, true);
                return null;
            }
            String archive = Containers.unopenedArchive(s);
            if (archive != null) {
                visitor.containerProblem(entry, base, archive + ": the scanner does not open these, so what it holds"
                        + " was not scanned", Verdict.UNKNOWN);
                return null;
            }
            Containers.Compression comp = Containers.compression(s);
            switch (comp) {
                case ZLIB, GZIP, BZ2, XZ, LZMA, ZFILE -> {
                    String kind = comp.name().toLowerCase(java.util.Locale.ROOT);
                    if (depth >= MAX_DEPTH) {
                        visitor.containerProblem(entry, base, "compressed data nested too deep to scan", Verdict.UNKNOWN);
                        return null;
                    }
                    String inner;
                    try (MappedFile inflated = Containers.inflateToTemp(s, comp, path, "pickle", limits.maxHeaderBytes())) {
                        inner = region(inflated.segment(), 0, entry.isEmpty() ? "(" + kind + ")" : entry + " (" + kind + ")", depth + 1);
                    } catch (MalformedFileException e) {
                        visitor.containerProblem(entry, base, kind + "-compressed data that cannot be decompressed, so"
                                + " it was not scanned: " + e.detail(), Verdict.UNKNOWN);
                        // the magic may also open a pickle (bz2's 'B' is BINBYTES): judge the bytes as one too
                        if (Containers.mayBePickle(s, 0)) visitor.stream(s, base, entry, true);
                        return null;
                    }
                    return inner == null ? null : kind + "-compressed data: " + inner;
                }
                case LZ4 -> {
                    visitor.containerProblem(entry, base, "lz4-compressed content (joblib) cannot be decompressed here,"
                            + " so it was not scanned", Verdict.UNKNOWN);
                    return null;
                }
                case NONE -> { }
            }
            if (!Containers.mayBePickle(s, 0)) {
                return String.format("not a pickle (byte 0 is 0x%02x, no pickle opcode), nor an archive, compressed"
                        + " stream, numpy array or data-only format the scanner knows", Containers.u8(s, 0));
            }
            String notPickle = visitor.stream(s, base, entry, !Containers.isProtoPickle(s, 0));
            return notPickle == null ? null : notPickle + ", and no archive, compressed stream, numpy array or"
                    + " data-only format the scanner knows";
        }

        /** @param before the bytes before the archive (what precedes an appended archive) */
        private void zip(ZipArchive zip, MemorySegment before, long base, String entry, int depth) {
            String prefix = entry.isEmpty() ? "" : entry + "!";
            for (ZipArchive.Problem p : zip.problems()) {
                visitor.containerProblem(prefix + p.entry(), base + p.offset(), p.toString(), Verdict.UNKNOWN);
            }
            if (zip.start() > 0) region(before, base, prefix + "(before the zip archive)", depth + 1);
            if (depth >= MAX_DEPTH) {
                visitor.containerProblem(entry, base, "archives nested more than " + MAX_DEPTH + " deep were not scanned", Verdict.UNKNOWN);
                return;
            }
            for (ZipArchive.Entry e : zip.entries()) {
                String name = prefix + e.name();
                if (e.method() != 0 && e.method() != 8) {
                    visitor.containerProblem(name, base + e.headerOffset(), "compression method " + e.method()
                            + ZipArchive.methodName(e.method()) + " cannot be read here, so the entry was not scanned",
                            Verdict.UNKNOWN);
                    continue;
                }
                if (e.encrypted()) {
                    // Its plain content cannot be read. torch ignores the flag and reads the bytes as they are
                    // (CVE-2025-1945): those are still scanned below, in case the flag lies.
                    visitor.containerProblem(name, base + e.headerOffset(), "encrypted zip entry: its content cannot"
                            + " be read, so it was not scanned", Verdict.UNKNOWN);
                }
                if (e.stored() && remote != null && depth == 0 && !worthFetching(zip, e)) continue;
                if (e.stored()) {
                    MemorySegment data = zip.raw(e);
                    if (!worthReading(data, e.name())) continue;
                    region(data, base + zip.dataOffset(e), name, depth + 1);
                    continue;
                }
                try {
                    MemorySegment data = zip.content(e, PickleLimits.from(limits).maxPickleBytes(), false);
                    if (!worthReading(data, e.name())) continue;
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(data.asByteBuffer());
                    if (crc.getValue() != e.crc()) {
                        visitor.containerProblem(name, base + e.headerOffset(), String.format(
                                "CRC-32 %08x does not match the directory's %08x (torch loads it anyway)", crc.getValue(), e.crc()),
                                Verdict.UNKNOWN);
                    }
                    region(data, 0, name, depth + 1);
                } catch (MalformedFileException ex) {
                    visitor.containerProblem(name, base + e.headerOffset(), ex.getMessage(), Verdict.UNKNOWN);
                }
            }
        }

        /**
         * Over HTTP, whether a stored entry is worth fetching: not a storage record ({@code data/N}: tensor data,
         * never unpickled by torch), not a numeric {@code .npy} (its header is read, its data not), and its first
         * bytes {@link #worthReading worth reading}.
         */
        private boolean worthFetching(ZipArchive zip, ZipArchive.Entry e) {
            if (e.name().toLowerCase(java.util.Locale.ROOT).matches("(.*/)?data/[^/]+")) return false;
            long at = zip.dataOffset(e);
            MemorySegment head = remote.window(at, Math.min(e.compressedSize(), 65_536 + 16));
            if (!worthReading(head, e.name())) return false;
            if (Containers.startsWith(head, 0, Containers.NPY_MAGIC)) {
                try {
                    return Containers.npyHeader(new ByteCursor(head, at, "npy", path)).dtype().object();
                } catch (MalformedFileException ex) {
                    return true; // judged on the whole entry, as locally
                }
            }
            return true;
        }

        /**
         * Whether an entry could hold a pickle, an archive, compressed data or an npy: read by content, so a pickle
         * named {@code data.txt} is found (CVE-2025-1889). Raw storages ({@code data/0}) are not parsed unless they
         * start like a protocol 2+ pickle, so scanning never reads tensor data.
         */
        private static boolean worthReading(MemorySegment data, String name) {
            if (data.byteSize() == 0) return false;
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.endsWith(".pkl") || lower.endsWith(".pickle") || lower.endsWith(".npy")) return true;
            if (Containers.isProtoPickle(data, 0) || Containers.isZipAt(data, 0)
                    || Containers.startsWith(data, 0, Containers.NPY_MAGIC)) return true;
            if (Containers.compression(data) != Containers.Compression.NONE) return true;
            if (Containers.unopenedArchive(data) != null) return true;
            boolean storage = lower.matches(".*(^|/)data/[^/]+$") || lower.contains("/.data/") || lower.startsWith(".data/")
                    || lower.endsWith("/version") || lower.endsWith("/byteorder") || lower.endsWith(".py")
                    || lower.endsWith(".debug_pkl") || lower.endsWith("format_version") || lower.endsWith("storage_alignment")
                    || lower.endsWith(".json") || lower.endsWith(".txt") && !Containers.mayBePickle(data, 0);
            return !storage && Containers.mayBePickle(data, 0);
        }

        /** POSIX ustar or GNU tar: "ustar" at byte 257 of the first 512-byte header. */
        private static boolean isTar(MemorySegment s) {
            return s.byteSize() >= 512 && Containers.startsWith(s, 257, new byte[] {'u', 's', 't', 'a', 'r'});
        }

        /**
         * PyTorch before 0.1.10 saved checkpoints as tar archives whose {@code sys_info}, {@code pickle},
         * {@code storages} and {@code tensors} members are pickles, and torch.load still read them until 2.6
         * (CVE-2025-32434): every member is scanned like a file of its own.
         */
        private void tar(MemorySegment s, long base, String entry, int depth) {
            String prefix = entry.isEmpty() ? "" : entry + "!";
            long at = 0;
            int members = 0;
            while (at + 512 <= s.byteSize()) {
                if (Containers.u8(s, at) == 0) return; // the end-of-archive blocks
                String name = tarString(s, at, 100);
                long size = tarOctal(s, at + 124, 12);
                int type = Containers.u8(s, at + 156);
                if (size < 0 || size > s.byteSize() - at - 512) {
                    visitor.containerProblem(prefix + name, base + at, "tar member '" + name + "' at byte " + (base + at)
                            + " claims " + size + " bytes, more than the archive holds", Verdict.UNKNOWN);
                    return;
                }
                if (++members > limits.maxCollectionSize()) return;
                if (type == '0' || type == 0) region(s.asSlice(at + 512, size), base + at + 512, prefix + name, depth + 1);
                at += 512 + (size + 511) / 512 * 512;
            }
        }

        private static String tarString(MemorySegment s, long at, int max) {
            int n = 0;
            while (n < max && Containers.u8(s, at + n) > 0) n++;
            return new String(s.asSlice(at, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }

        private static long tarOctal(MemorySegment s, long at, int width) {
            long v = 0;
            boolean any = false;
            for (int i = 0; i < width; i++) {
                int b = Containers.u8(s, at + i);
                if (b == ' ' && !any) continue;
                if (b < '0' || b > '7') break;
                v = v * 8 + (b - '0');
                any = true;
                if (v > (1L << 40)) return -1;
            }
            return any ? v : (Containers.u8(s, at) == 0 ? 0 : -1);
        }

        private void npy(MemorySegment s, long base, String entry) {
            ByteCursor c = new ByteCursor(s, base, "npy", path);
            Containers.NpyHeader h;
            try {
                h = Containers.npyHeader(c);
            } catch (MalformedFileException e) {
                visitor.containerProblem(entry, base, e.getMessage(), Verdict.UNKNOWN);
                return;
            }
            if (h.dtype().object()) {
                long at = h.dataOffset();
                visitor.stream(s.asSlice(at), base + at, entry.isEmpty() ? "(npy object array)" : entry, false);
            }
        }
    }

    /** Runs the pickles of each stream and classifies what they reference. */
    private final class ScanVisitor implements StreamVisitor {
        final List<ScanFinding> findings = new ArrayList<>();
        private final Set<String> seen = new HashSet<>();
        private final Path path;
        private final PickleLimits limits;

        private final ReadLimits readLimits;
        /** joblib 0.9 sibling files named so far, each scanned once. */
        private final Set<String> siblings = new LinkedHashSet<>();
        private boolean inSibling;

        ScanVisitor(Path path, ReadLimits limits) {
            this.path = path;
            this.readLimits = limits;
            this.limits = PickleLimits.from(limits);
        }

        /**
         * joblib before 0.10 ({@code numpy_pickle_compat.NDArrayWrapper.read}) calls {@code np.load(dirname/filename,
         * allow_pickle=True)} for each array: the sibling file is part of what loading runs, so it is scanned here
         * (an object array or a pickle in it is judged like the file's own). A name that leaves the directory is
         * dangerous (it reaches any file); a missing sibling is unknown.
         */
        private void sibling(String entry, String file, long offset) {
            if (inSibling) return; // np.load unpickles with the plain unpickler: a wrapper there reads nothing
            String what = "joblib 0.9 array file '" + file + "'";
            String bad = Siblings.problem(file);
            if (bad != null) {
                add("(sibling file)", Verdict.DANGEROUS, entry, offset, what + " " + bad
                        + ": joblib.load would np.load it with allow_pickle=True");
                return;
            }
            if (!entry.isEmpty() && !entry.startsWith("(")) {
                add("(sibling file)", Verdict.UNKNOWN, entry, offset, what + " is named inside an archive: a loader"
                        + " looks for it beside the archive, so it was not scanned");
                return;
            }
            if (!siblings.add(file) || siblings.size() > readLimits.maxCollectionSize()) return;
            Path sibling = path.toAbsolutePath().resolveSibling(file);
            if (!java.nio.file.Files.isRegularFile(sibling)) {
                add("(sibling file)", Verdict.UNKNOWN, entry, offset, what + " is missing beside " + path.getFileName()
                        + ", so what joblib.load would read there was not scanned");
                return;
            }
            inSibling = true;
            try (MappedFile m = MappedFile.open(sibling, "pickle")) {
                String unrecognized = new Walk(sibling, readLimits, this).region(m.segment(), 0, file, 1);
                if (unrecognized != null) add("(sibling file)", Verdict.UNKNOWN, file, 0, what + ": " + unrecognized);
            } finally {
                inSibling = false;
            }
        }

        void add(String global, Verdict severity, String entry, long offset, String detail) {
            // a global is listed once per entry; each problem of a container is its own finding
            String what = global.startsWith("(") ? "\u0000" + detail : "";
            if (!seen.add(entry + "\u0000" + global + "\u0000" + severity + what)) return;
            if (findings.size() == MAX_FINDINGS) {
                findings.add(new ScanFinding("(more findings)", Verdict.UNKNOWN, entry, offset,
                        "more than " + MAX_FINDINGS + " findings; the rest are not listed"));
            }
            if (findings.size() > MAX_FINDINGS && severity != Verdict.DANGEROUS) return;
            findings.add(new ScanFinding(global, severity, entry, offset, detail));
        }

        @Override
        public void containerProblem(String entry, long offset, String what, Verdict severity) {
            add("(container)", severity, entry, offset, what);
        }

        @Override
        public String stream(MemorySegment region, long base, String entry, boolean sniffed) {
            ByteCursor c = new ByteCursor(region, base, "pickle", path).structure(entry.isEmpty() ? "pickle" : entry);
            int index = 0;
            List<Map.Entry<String, Long>> wrappers = new ArrayList<>();
            while (c.remaining() > 0) {
                long start = c.position();
                boolean[] sawSomething = {false};
                PickleMachine m = new PickleMachine(limits, new PickleMachine.Listener() {
                    @Override
                    public void global(PValue.PGlobal g, Opcode opcode) {
                        sawSomething[0] = true;
                        Classifier.Classification k = classifier.classify(g.module, g.name);
                        if (k.verdict() != Verdict.SAFE) {
                            add(Classifier.canonical(g.module, g.name), k.verdict(), entry, g.offset - base,
                                    opcode + ": " + k.reason());
                        }
                    }

                    @Override
                    public void unresolvable(String what, long offset) {
                        sawSomething[0] = true;
                        add("(unresolvable)", Verdict.DANGEROUS, entry, offset - base, what);
                    }

                    @Override
                    public void built(PValue.PCall call) {
                        if (PickleMachine.JOBLIB_SIBLING_WRAPPER.equals(call.target()) && call.state instanceof PValue.PDict st
                                && Values.str(st.get("filename")) != null) {
                            wrappers.add(Map.entry(Values.str(st.get("filename")), call.offset - base));
                        }
                    }
                });
                // the legacy torch.save stream: its object pickle names each whole module's class by a persistent id
                if (Containers.startsWith(region, 0, Containers.LEGACY_MAGIC)) m.resolvingTorchModules();
                int protocol;
                try {
                    protocol = m.run(c).protocol();
                    index++;
                    for (Map.Entry<String, Long> w : wrappers) sibling(entry, w.getKey(), w.getValue());
                    wrappers.clear();
                } catch (MalformedFileException e) {
                    // Python runs every opcode before the bad one: what was seen stands. A stream that is not a
                    // pickle at all (no global, first pickle, failing at once) is simply not a pickle: the caller
                    // decides what that makes the bytes.
                    if (index == 0 && !sawSomething[0] && (sniffed || c.position() - start < 3)) {
                        return "a pickle that breaks off before it references anything (" + e.detail() + ")";
                    }
                    if (index > 0 && !sawSomething[0]) return null; // trailing bytes after the pickles
                    add("(malformed)", Verdict.UNKNOWN, entry, e.offset() < 0 ? start : e.offset() - base,
                            "pickle #" + index + " is malformed, so what follows was not scanned: " + e.getMessage());
                    return null;
                }
                if (!continues(region, c.position(), index)) {
                    return null;
                }
            }
            return null;
        }
    }

    /** Writes pickletools.dis-like lines: offset, opcode byte, name, argument. */
    private static final class DisassemblyVisitor implements StreamVisitor {
        private final Path path;
        private final Appendable out;
        private final PickleLimits limits;

        DisassemblyVisitor(Path path, Appendable out, PickleLimits limits) {
            this.path = path;
            this.out = out;
            this.limits = limits;
        }

        private void print(String s) {
            try {
                out.append(s).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void containerProblem(String entry, long offset, String what, Verdict severity) {
            print("# " + (entry.isEmpty() ? "" : entry + ": ") + what);
        }

        @Override
        public String stream(MemorySegment region, long base, String entry, boolean sniffed) {
            ByteCursor c = new ByteCursor(region, base, "pickle", path).structure(entry.isEmpty() ? "pickle" : entry);
            int index = 0;
            while (c.remaining() > 0) {
                long start = c.position();
                print("== " + (entry.isEmpty() ? path.getFileName() : entry) + ", pickle #" + index + " at byte " + (base + start));
                PickleMachine m = new PickleMachine(limits, new PickleMachine.Listener() {
                    @Override public boolean tracing() { return true; }

                    @Override
                    public void opcode(long offset, Opcode op, MemorySegment arg) {
                        print(String.format("%8d: %-4s %-16s %s", offset - base, op.display(), op.name(), Disassembly.argument(op, arg)));
                    }
                });
                int protocol;
                try {
                    protocol = m.run(c).protocol();
                    index++;
                } catch (MalformedFileException e) {
                    print("   error: " + e.getMessage());
                    return null;
                }
                if (!continues(region, c.position(), index)) {
                    if (c.remaining() > 0) print("   (" + c.remaining() + " bytes after the last pickle)");
                    return null;
                }
            }
            return null;
        }
    }

    /**
     * Whether another pickle follows at {@code at}: Python code may call {@code pickle.load} on a stream again and
     * again, so whatever starts like a pickle after a STOP is read (PROTO 2+, or any opcode that may start one, and
     * not a ZIP entry) — except in PyTorch's legacy format, whose five pickles (magic, protocol, sys info, data,
     * storage keys) are followed by raw storage bytes torch never unpickles.
     */
    static boolean continues(MemorySegment region, long at, int index) {
        if (index >= 10_000 || at >= region.byteSize()) return false;
        if (index >= 5 && Containers.startsWith(region, 0, Containers.LEGACY_MAGIC)) return false;
        if (Containers.isProtoPickle(region, at)) return true;
        return Containers.mayBePickle(region, at) && !Containers.isZipAt(region, at);
    }

    /** For messages: the bytes as text when printable. */
    static String printable(MemorySegment s, int max) {
        byte[] b = s.asSlice(0, Math.min(s.byteSize(), max)).toArray(ValueLayout.JAVA_BYTE);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static TensorFileException unreadable(Path path, String what) { return new TensorFileException("pickle", path, what); }
}
