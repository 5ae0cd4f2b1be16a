package dev.tensorfile.pickle.scan;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.ZipArchive;
import dev.tensorfile.pickle.archive.Compression;
import dev.tensorfile.pickle.archive.Decompressor;
import dev.tensorfile.pickle.archive.Magic;
import dev.tensorfile.pickle.numpy.NpyHeader;
import dev.tensorfile.pickle.vm.PickleLimits;
import dev.tensorfile.pickle.vm.PickleStart;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Finds every pickle in a file: ZIP archives (by end record, anywhere), their entries recursively, what precedes
 * an appended archive, compressed joblib, {@code .npy} object arrays, and plain streams.
 */
public final class ContainerWalk {
    private static final int MAX_DEPTH = 3;

    private final Path path;
    private final ReadLimits limits;
    private final StreamVisitor visitor;
    /** The remote file whose top-level archive is walked, reading entries through windows; null otherwise. */
    private final MappedFile remote;

    /** A walk over a file at {@code path} that hands each pickle stream it finds to {@code visitor}. */
    public ContainerWalk(Path path, ReadLimits limits, StreamVisitor visitor) {
        this(path, limits, visitor, null);
    }

    private ContainerWalk(Path path, ReadLimits limits, StreamVisitor visitor, MappedFile remote) {
        this.path = path;
        this.limits = limits;
        this.visitor = visitor;
        this.remote = remote;
    }

    /**
     * Walks the top-level archive {@code zip} of the remote file {@code file} through range requests: its entries
     * that may hold a pickle are fetched, storage records and numeric arrays' data are not.
     */
    public static void remoteArchive(MappedFile file, ZipArchive zip, ReadLimits limits, StreamVisitor visitor) {
        new ContainerWalk(file.path(), limits, visitor, file)
                .zip(zip, zip.start() > 0 ? file.window(0, zip.start()) : MemorySegment.NULL, 0, "", 0);
    }

    /**
     * Finds and judges what a region holds.
     *
     * @return null when the region was judged: a pickle parsed, a container opened, or a finding names what could
     *     not be read; otherwise why nothing in it could be identified (the caller decides what that means)
     */
    public String region(MemorySegment s, long base, String entry, int depth) {
        if (s.byteSize() == 0) return "an empty file: nothing a loader could read";
        if (ZipArchive.hasEndRecord(s) || Magic.isZipAt(s, 0)) {
            ZipArchive zip;
            try {
                zip = ZipArchive.read(s, path, "zip", limits.maxCollectionSize());
            } catch (MalformedFileException e) {
                if (Magic.isZipAt(s, 0)) {
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
        if (Magic.startsWith(s, 0, NpyHeader.MAGIC)) {
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
            if (PickleStart.mayBePickle(s, 0)) visitor.stream(s, base, entry, true);
            return null;
        }
        String archive = Magic.unopenedArchive(s);
        if (archive != null) {
            visitor.containerProblem(entry, base, archive + ": the scanner does not open these, so what it holds"
                    + " was not scanned", Verdict.UNKNOWN);
            return null;
        }
        Compression comp = Compression.of(s);
        switch (comp) {
            case ZLIB, GZIP, BZ2, XZ, LZMA, ZFILE -> {
                String kind = comp.name().toLowerCase(java.util.Locale.ROOT);
                if (depth >= MAX_DEPTH) {
                    visitor.containerProblem(entry, base, "compressed data nested too deep to scan", Verdict.UNKNOWN);
                    return null;
                }
                String inner;
                try (MappedFile inflated = Decompressor.inflateToTemp(s, comp, path, "pickle", limits.maxHeaderBytes())) {
                    inner = region(inflated.segment(), 0, entry.isEmpty() ? "(" + kind + ")" : entry + " (" + kind + ")", depth + 1);
                } catch (MalformedFileException e) {
                    visitor.containerProblem(entry, base, kind + "-compressed data that cannot be decompressed, so"
                            + " it was not scanned: " + e.detail(), Verdict.UNKNOWN);
                    // the magic may also open a pickle (bz2's 'B' is BINBYTES): judge the bytes as one too
                    if (PickleStart.mayBePickle(s, 0)) visitor.stream(s, base, entry, true);
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
        if (!PickleStart.mayBePickle(s, 0)) {
            return String.format("not a pickle (byte 0 is 0x%02x, no pickle opcode), nor an archive, compressed"
                    + " stream, numpy array or data-only format the scanner knows", Magic.u8(s, 0));
        }
        String notPickle = visitor.stream(s, base, entry, !PickleStart.isProtoPickle(s, 0));
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
        if (Magic.startsWith(head, 0, NpyHeader.MAGIC)) {
            try {
                return NpyHeader.read(new ByteCursor(head, at, "npy", path)).dtype().object();
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
        if (PickleStart.isProtoPickle(data, 0) || Magic.isZipAt(data, 0)
                || Magic.startsWith(data, 0, NpyHeader.MAGIC)) return true;
        if (Compression.of(data) != Compression.NONE) return true;
        if (Magic.unopenedArchive(data) != null) return true;
        boolean storage = lower.matches(".*(^|/)data/[^/]+$") || lower.contains("/.data/") || lower.startsWith(".data/")
                || lower.endsWith("/version") || lower.endsWith("/byteorder") || lower.endsWith(".py")
                || lower.endsWith(".debug_pkl") || lower.endsWith("format_version") || lower.endsWith("storage_alignment")
                || lower.endsWith(".json") || lower.endsWith(".txt") && !PickleStart.mayBePickle(data, 0);
        return !storage && PickleStart.mayBePickle(data, 0);
    }

    /** POSIX ustar or GNU tar: "ustar" at byte 257 of the first 512-byte header. */
    private static boolean isTar(MemorySegment s) {
        return s.byteSize() >= 512 && Magic.startsWith(s, 257, new byte[] {'u', 's', 't', 'a', 'r'});
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
            if (Magic.u8(s, at) == 0) return; // the end-of-archive blocks
            String name = tarString(s, at, 100);
            long size = tarOctal(s, at + 124, 12);
            int type = Magic.u8(s, at + 156);
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
        while (n < max && Magic.u8(s, at + n) > 0) n++;
        return new String(s.asSlice(at, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static long tarOctal(MemorySegment s, long at, int width) {
        long v = 0;
        boolean any = false;
        for (int i = 0; i < width; i++) {
            int b = Magic.u8(s, at + i);
            if (b == ' ' && !any) continue;
            if (b < '0' || b > '7') break;
            v = v * 8 + (b - '0');
            any = true;
            if (v > (1L << 40)) return -1;
        }
        return any ? v : (Magic.u8(s, at) == 0 ? 0 : -1);
    }

    private void npy(MemorySegment s, long base, String entry) {
        ByteCursor c = new ByteCursor(s, base, "npy", path);
        NpyHeader h;
        try {
            h = NpyHeader.read(c);
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
