package dev.tensorfile.pickle.scan;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.pickle.archive.Magic;
import dev.tensorfile.pickle.numpy.Siblings;
import dev.tensorfile.pickle.torch.LegacyStream;
import dev.tensorfile.pickle.vm.Opcode;
import dev.tensorfile.pickle.vm.PValue;
import dev.tensorfile.pickle.vm.PickleLimits;
import dev.tensorfile.pickle.vm.PickleMachine;
import dev.tensorfile.pickle.vm.PythonNames;
import dev.tensorfile.pickle.vm.Values;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Runs the pickles of each stream and classifies what they reference. */
public final class ScanVisitor implements StreamVisitor {
    private static final int MAX_FINDINGS = 1000;

    private final List<ScanFinding> findings = new ArrayList<>();
    private final Classifier classifier;
    private final Set<String> seen = new HashSet<>();
    private final Path path;
    private final PickleLimits limits;

    private final ReadLimits readLimits;
    /** joblib 0.9 sibling files named so far, each scanned once. */
    private final Set<String> siblings = new LinkedHashSet<>();
    private boolean inSibling;

    /** A visitor of the file at {@code path} that judges each global with {@code classifier}. */
    public ScanVisitor(Path path, ReadLimits limits, Classifier classifier) {
        this.classifier = classifier;
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
            String unrecognized = new ContainerWalk(sibling, readLimits, this).region(m.segment(), 0, file, 1);
            if (unrecognized != null) add("(sibling file)", Verdict.UNKNOWN, file, 0, what + ": " + unrecognized);
        } finally {
            inSibling = false;
        }
    }

    /** The findings so far, in the order they were made. */
    public List<ScanFinding> findings() { return findings; }

    /** Adds a finding, unless the same one was made for this entry already. */
    public void add(String global, Verdict severity, String entry, long offset, String detail) {
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
                    Classifier.Classification k = classifier.classify(g.module(), g.name());
                    if (k.verdict() != Verdict.SAFE) {
                        add(PythonNames.canonical(g.module(), g.name()), k.verdict(), entry, g.offset() - base,
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
                    if (PickleMachine.JOBLIB_SIBLING_WRAPPER.equals(call.target()) && call.state() instanceof PValue.PDict st
                            && Values.str(st.get("filename")) != null) {
                        wrappers.add(Map.entry(Values.str(st.get("filename")), call.offset() - base));
                    }
                }
            });
            // the legacy torch.save stream: its object pickle names each whole module's class by a persistent id
            if (Magic.startsWith(region, 0, LegacyStream.MAGIC)) m.resolvingTorchModules();
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
            if (!PickleSequence.continues(region, c.position(), index)) {
                return null;
            }
        }
        return null;
    }
}
