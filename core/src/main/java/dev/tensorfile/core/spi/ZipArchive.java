package dev.tensorfile.core.spi;

import dev.tensorfile.core.MalformedFileException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A ZIP archive (PKWARE APPNOTE.TXT 4.3, ZIP64 included) read from its end: the end-of-central-directory record is
 * searched for in the file's last bytes (bounded by the longest comment it may carry), the central directory read
 * from where it says, and an entry's local header only when the entry is opened. Every read goes through
 * {@link MappedFile#window}, so for a remote file only the tail, the directory and the entries opened are fetched;
 * stored entries are zero-copy slices of the mapping and deflated ones go through an inflater bounded by the size
 * the directory declares.
 *
 * <p>It reads as PyTorch's miniz reader does: general-purpose flag bits are ignored and CRCs are not required to
 * match for the archive to open (PyTorch builds miniz with {@code MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS}), so what
 * torch would load is what is read. What a careful reader would reject — duplicate names, names that differ only in
 * case (miniz looks names up case-insensitively), path traversal, local and central names that differ, absurd
 * inflated sizes, entries on other disks — is collected in {@link #problems()}: a scanner reports each, and a file
 * opened for its tensors refuses them. Local headers whose bytes are present when the archive is read (all of them
 * for a local file; those already fetched for a remote one) are checked at once, the others when their entry is
 * opened.
 *
 * <p>An archive appended after other bytes (a pickle) is found from its end record, and its offsets are shifted by
 * the prefix, as Python's {@code zipfile} does.
 */
public final class ZipArchive {
    /** The local file header signature, {@code PK\3\4} (APPNOTE 4.3.7). */
    public static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_EOCD_SIGNATURE = 0x06064b50;
    private static final int EOCD_SIZE = 22;
    private static final int LOCAL_SIZE = 30;
    private static final int CENTRAL_SIZE = 46;
    private static final int ZIP64_LOCATOR_SIZE = 20;
    private static final int ZIP64_EOCD_SIZE = 56;
    /**
     * How much of the end is read to find the end record: the record, its longest comment (65,535 bytes) and a ZIP64
     * locator and record before it, rounded up so that a small central directory comes in the same request.
     */
    private static final long TAIL = 128 * 1024;
    /** Deflate cannot exceed about 1032:1 (RFC 1951: 258 bytes per 2-bit code at best); more is a lie. */
    public static final long MAX_DEFLATE_RATIO = 1100;

    /**
     * One entry, as the central directory describes it.
     *
     * @param index its position in the central directory
     * @param name the central directory's name
     * @param method 0 stored, 8 deflated (others are listed but not read)
     * @param flags the general-purpose bit flags (APPNOTE 4.4.4)
     * @param crc the CRC-32 the directory claims
     * @param compressedSize bytes of data in the file
     * @param size bytes once inflated
     * @param headerOffset absolute offset of its local header
     * @param centralOffset absolute offset of its central directory record
     */
    public record Entry(int index, String name, int method, int flags, long crc, long compressedSize, long size,
            long headerOffset, long centralOffset) {
        /** Method 0: the bytes are in the file as they are. */
        public boolean stored() { return method == 0; }

        /** Method 8: deflated (RFC 1951). */
        public boolean deflated() { return method == 8; }

        /** General-purpose flag bit 0 (APPNOTE 4.4.4): the entry is encrypted. */
        public boolean encrypted() { return (flags & 1) != 0; }
    }

    /**
     * Something about one entry that a careful reader rejects.
     *
     * @param entry the entry's name in the central directory
     * @param offset where its central directory record starts in the file
     * @param what what is wrong
     */
    public record Problem(String entry, long offset, String what) {
        @Override public String toString() { return entry + ": " + what; }
    }

    /** What a compression method number means (APPNOTE 4.4.5), for messages: " (bzip2)", or "" when unknown. */
    public static String methodName(int method) {
        return switch (method) {
            case 12 -> " (bzip2)";
            case 14 -> " (lzma)";
            case 93 -> " (zstd)";
            case 95 -> " (xz)";
            case 98 -> " (ppmd)";
            case 99 -> " (AES encryption)";
            default -> "";
        };
    }

    /** The bytes an archive is read from: a mapped (perhaps remote) file, or a segment in memory. */
    private interface Source {
        long size();

        /** Bytes present to read (fetched first for a remote file). */
        MemorySegment window(long offset, long length);

        /** Bytes for tensor data, fetched only by whoever {@code require}s them. */
        MemorySegment lazy(long offset, long length);

        /** True if reading {@code [offset, offset + length)} costs no fetch. */
        boolean present(long offset, long length);
    }

    private record Mapped(MappedFile file) implements Source {
        @Override public long size() { return file.size(); }
        @Override public MemorySegment window(long offset, long length) { return file.window(offset, length); }
        @Override public MemorySegment lazy(long offset, long length) { return file.dataSlice(offset, length); }

        @Override
        public boolean present(long offset, long length) {
            return file.remote().map(r -> r.isFetched(offset, length)).orElse(true);
        }
    }

    private record Memory(MemorySegment segment) implements Source {
        @Override public long size() { return segment.byteSize(); }
        @Override public MemorySegment window(long offset, long length) { return segment.asSlice(offset, length); }
        @Override public MemorySegment lazy(long offset, long length) { return segment.asSlice(offset, length); }
        @Override public boolean present(long offset, long length) { return true; }
    }

    private final Source source;
    private final Path path;
    private final String format;
    private final long start;
    private final List<Entry> entries;
    private final List<Problem> problems;
    private final Map<String, Entry> byLowerName;
    /** Each entry's data offset once its local header was read, else -1. */
    private final long[] dataOffsets;

    private ZipArchive(Source source, Path path, String format, long start, List<Entry> entries, List<Problem> problems) {
        this.source = source;
        this.path = path;
        this.format = format;
        this.start = start;
        this.entries = List.copyOf(entries);
        this.problems = new CopyOnWriteArrayList<>(problems);
        Map<String, Entry> m = new HashMap<>();
        for (Entry e : entries) m.putIfAbsent(e.name().toLowerCase(Locale.ROOT), e);
        this.byLowerName = m;
        this.dataOffsets = new long[entries.size()];
        java.util.Arrays.fill(dataOffsets, -1);
    }

    /** Entries in central-directory order. */
    public List<Entry> entries() { return entries; }

    /** Where the archive starts in the file (0 unless something was prepended). */
    public long start() { return start; }

    /**
     * What a careful reader rejects (each is a finding when scanning, an error when opening): those of the central
     * directory, and of every local header read so far.
     */
    public List<Problem> problems() { return List.copyOf(problems); }

    /** The entry of that name, looked up case-insensitively as miniz's {@code mz_zip_reader_locate_file} does. */
    public Entry find(String name) { return byLowerName.get(name.toLowerCase(Locale.ROOT)); }

    /** True if {@code s} starts with a local file header signature (how a ZIP written from its start begins). */
    public static boolean startsWithLocalHeader(MemorySegment s) {
        return s.byteSize() >= 4 && s.get(ValueLayout.JAVA_INT_UNALIGNED, 0) == LOCAL_SIGNATURE;
    }

    /** True if {@code file} starts with a local file header signature; reads (fetches) its first 4 bytes only. */
    public static boolean startsWithLocalHeader(MappedFile file) {
        return file.size() >= 4 && startsWithLocalHeader(file.window(0, 4));
    }

    /** True if the segment ends with an end-of-central-directory record. */
    public static boolean hasEndRecord(MemorySegment file) { return findEnd(new Memory(file)) >= 0; }

    /** True if the file ends with an end-of-central-directory record; reads (fetches) its last 128 KiB at most. */
    public static boolean hasEndRecord(MappedFile file) { return findEnd(new Mapped(file)) >= 0; }

    private static long findEnd(Source s) {
        long size = s.size();
        if (size < EOCD_SIZE) return -1;
        long tailStart = Math.max(0, size - TAIL);
        MemorySegment tail = s.window(tailStart, size - tailStart);
        long lowest = Math.max(0, size - EOCD_SIZE - 65_535);
        for (long p = size - EOCD_SIZE; p >= lowest; p--) {
            if (tail.get(ValueLayout.JAVA_INT_UNALIGNED, p - tailStart) == EOCD_SIGNATURE) {
                int commentLength = Short.toUnsignedInt(tail.get(ValueLayout.JAVA_SHORT_UNALIGNED, p - tailStart + 20));
                if (p + EOCD_SIZE + commentLength <= size) return p;
            }
        }
        return -1;
    }

    /**
     * Reads the central directory of a mapped file (for a remote one, fetching the tail and the directory only).
     *
     * @param format the format name for errors
     * @param maxEntries the most entries accepted
     * @param maxDirectoryBytes the largest central directory accepted (what opening may fetch)
     * @throws MalformedFileException if there is no end record or the directory breaks the format
     */
    public static ZipArchive read(MappedFile file, String format, long maxEntries, long maxDirectoryBytes) {
        return read(new Mapped(file), file.path(), format, maxEntries, maxDirectoryBytes);
    }

    /**
     * Reads the central directory of an archive in memory (an entry of another archive, a decompressed stream).
     *
     * @throws MalformedFileException if there is no end record or the directory breaks the format
     */
    public static ZipArchive read(MemorySegment file, Path path, String format, long maxEntries) {
        return read(new Memory(file), path, format, maxEntries, Long.MAX_VALUE);
    }

    private static ZipArchive read(Source s, Path path, String format, long maxEntries, long maxDirectoryBytes) {
        long size = s.size();
        long eocd = findEnd(s);
        if (eocd < 0) {
            throw new MalformedFileException(format, path, "zip end of central directory", Math.max(0, size - EOCD_SIZE),
                    "no end-of-central-directory record");
        }
        ByteCursor c = new ByteCursor(s.window(eocd, EOCD_SIZE), eocd, format, path).structure("zip end of central directory");
        c.seek(10);
        long count = c.u16();
        long cdSize = c.u32();
        long cdOffset = c.u32();
        long cdEnd = eocd;
        if (eocd >= ZIP64_LOCATOR_SIZE
                && s.window(eocd - ZIP64_LOCATOR_SIZE, 4).get(ValueLayout.JAVA_INT_UNALIGNED, 0) == ZIP64_LOCATOR_SIGNATURE) {
            long locator = eocd - ZIP64_LOCATOR_SIZE;
            c = new ByteCursor(s.window(locator, ZIP64_LOCATOR_SIZE), locator, format, path)
                    .structure("zip64 end of central directory locator");
            c.seek(8);
            long z64 = c.u64Size("zip64 end record offset");
            // The locator's offset is relative to the archive start, which a prefix shifts: look just before it first.
            long at = locator - ZIP64_EOCD_SIZE;
            if (at < 0 || s.window(at, 4).get(ValueLayout.JAVA_INT_UNALIGNED, 0) != ZIP64_EOCD_SIGNATURE) {
                if (z64 > size - ZIP64_EOCD_SIZE) throw c.fail("zip64 end record offset " + z64 + " outside the file");
                at = z64;
            }
            c = new ByteCursor(s.window(at, ZIP64_EOCD_SIZE), at, format, path).structure("zip64 end of central directory");
            if (c.i32() != ZIP64_EOCD_SIGNATURE) throw c.failAt(0, "bad zip64 end record signature");
            c.skip(8 + 2 + 2 + 4 + 4 + 8);
            count = c.u64Size("entry count");
            cdSize = c.u64Size("central directory size");
            cdOffset = c.u64Size("central directory offset");
            cdEnd = at;
        }
        if (cdSize > cdEnd) {
            throw new MalformedFileException(format, path, "zip end of central directory", eocd,
                    "central directory of " + cdSize + " bytes does not fit before its end record");
        }
        long cdStart = cdEnd - cdSize;
        long shift = cdStart - cdOffset;
        if (shift < 0) {
            throw new MalformedFileException(format, path, "zip end of central directory", eocd,
                    "central directory offset " + cdOffset + " points past its end record");
        }
        if (cdSize > maxDirectoryBytes) {
            throw new MalformedFileException(format, path, "zip central directory", cdStart,
                    "central directory of " + cdSize + " bytes is above the limit of " + maxDirectoryBytes);
        }
        ByteCursor d = new ByteCursor(s.window(cdStart, cdSize), cdStart, format, path).structure("zip central directory");
        d.requireCount(count, CENTRAL_SIZE, "zip entry");
        if (count > maxEntries) throw d.fail("zip entry count " + count + " is above the limit of " + maxEntries);
        List<Entry> entries = new ArrayList<>((int) count);
        List<Problem> problems = new ArrayList<>();
        Map<Integer, Long> dataOffsets = new HashMap<>();
        Map<String, String> seen = new HashMap<>();
        long first = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            long at = d.position();
            long record = cdStart + at;
            d.structure("zip central directory entry #" + i);
            if (d.i32() != CENTRAL_SIGNATURE) throw d.failAt(at, "bad central directory signature");
            d.skip(4);
            int flags = d.u16();
            int method = d.u16();
            d.skip(4);
            long crc = d.u32();
            long csize = d.u32();
            long usize = d.u32();
            int nameLength = d.u16();
            int extraLength = d.u16();
            int commentLength = d.u16();
            int disk = d.u16();
            d.skip(6);
            long local = d.u32();
            String name = new String(d.bytes(nameLength), StandardCharsets.UTF_8);
            ByteCursor x = d.split(extraLength);
            while (x.remaining() >= 4) {
                int id = x.u16();
                int len = x.u16();
                ByteCursor f = x.split(Math.min(len, x.remaining()));
                if (id == 0x0001) { // ZIP64 extended information (APPNOTE 4.5.3): only the fields that overflowed
                    if (usize == 0xFFFFFFFFL && f.remaining() >= 8) usize = f.u64Size("zip64 size");
                    if (csize == 0xFFFFFFFFL && f.remaining() >= 8) csize = f.u64Size("zip64 compressed size");
                    if (local == 0xFFFFFFFFL && f.remaining() >= 8) local = f.u64Size("zip64 header offset");
                }
            }
            d.skip(commentLength);
            long header = local + shift;
            if (header < 0 || header > size - LOCAL_SIZE) throw d.failAt(at, "local header offset " + local + " outside the file");
            Entry entry = new Entry(i, name, method, flags, crc, csize, usize, header, record);
            Local l = null;
            if (s.present(header, localGuess(entry, size))) {
                // free to check now (a local file, or fetched already): the problems list is complete where it costs nothing
                l = local(s, entry, path, format);
                dataOffsets.put(i, l.data());
            } else if (csize > size - header - LOCAL_SIZE) {
                throw d.failAt(at, "entry '" + name + "' data of " + csize + " bytes at " + (header + LOCAL_SIZE)
                        + " runs past the end of the file");
            }
            if (disk != 0 && disk != 0xFFFF) problems.add(new Problem(name, record, "on disk " + disk + " of a multi-disk archive"));
            if (l != null && l.problem() != null) problems.add(l.problem());
            String previous = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
            if (previous != null) {
                problems.add(new Problem(name, record, previous.equals(name) ? "duplicate entry name" : "differs only in case from '"
                        + previous + "' (miniz looks names up case-insensitively)"));
            }
            if (traverses(name)) problems.add(new Problem(name, record, "entry name leaves the archive (absolute or '..')"));
            if (method == 8 && usize > csize * MAX_DEFLATE_RATIO + (1 << 20)) {
                problems.add(new Problem(name, record, "claims " + usize + " bytes inflated from " + csize
                        + " (beyond deflate's 1032:1 limit: a zip bomb)"));
            }
            if (method == 0 && usize != csize) {
                problems.add(new Problem(name, record, "stored entry with size " + usize + " and compressed size " + csize));
            }
            first = Math.min(first, header);
            entries.add(entry);
        }
        ZipArchive zip = new ZipArchive(s, path, format, entries.isEmpty() ? cdStart : Math.min(first, cdStart), entries, problems);
        dataOffsets.forEach((i, data) -> zip.dataOffsets[i] = data);
        return zip;
    }

    private static boolean traverses(String name) {
        if (name.startsWith("/") || name.startsWith("\\") || (name.length() > 1 && name.charAt(1) == ':')) return true;
        for (String part : name.split("[/\\\\]")) if (part.equals("..")) return true;
        return false;
    }

    /**
     * The absolute offset of the entry's data, from its local header (APPNOTE 4.3.7), read the first time it is
     * asked for: its signature is checked and a name differing from the directory's is recorded as a
     * {@linkplain #problems() problem}.
     *
     * @throws MalformedFileException if the local header is not one, or the data run past the end of the file
     */
    public long dataOffset(Entry e) {
        synchronized (dataOffsets) {
            long known = dataOffsets[e.index()];
            if (known >= 0) return known;
            Local l = local(source, e, path, format);
            if (l.problem() != null) problems.add(l.problem());
            dataOffsets[e.index()] = l.data();
            return l.data();
        }
    }

    /** What an entry's local header says: where its data start, and a name that differs from the directory's. */
    private record Local(long data, Problem problem) {}

    /** Bytes that hold a local header with a name as long as the directory's and a typical extra field (PyTorch's padding). */
    private static long localGuess(Entry e, long size) {
        return Math.min(size - e.headerOffset(), LOCAL_SIZE + e.name().length() * 3L + 128);
    }

    private static Local local(Source source, Entry e, Path path, String format) {
        long size = source.size();
        long header = e.headerOffset();
        MemorySegment fixed = source.window(header, localGuess(e, size));
        String structure = "zip local header of '" + e.name() + "'";
        ByteCursor h = new ByteCursor(fixed, header, format, path).structure(structure);
        if (h.i32() != LOCAL_SIGNATURE) throw h.failAt(0, "bad local header signature");
        h.skip(22);
        int localNameLength = h.u16();
        int localExtraLength = h.u16();
        if (LOCAL_SIZE + localNameLength > fixed.byteSize()) {
            if (LOCAL_SIZE + (long) localNameLength > size - header) {
                throw h.fail("name of " + localNameLength + " bytes runs past the end of the file");
            }
            h = new ByteCursor(source.window(header, LOCAL_SIZE + localNameLength), header, format, path).structure(structure);
            h.seek(LOCAL_SIZE);
        }
        String localName = new String(h.bytes(localNameLength), StandardCharsets.UTF_8);
        long data = header + LOCAL_SIZE + localNameLength + localExtraLength;
        if (data > size || e.compressedSize() > size - data) {
            throw new MalformedFileException(format, path, "zip central directory entry #" + e.index(), e.centralOffset(),
                    "entry '" + e.name() + "' data of " + e.compressedSize() + " bytes at " + data + " runs past the end of the file");
        }
        Problem problem = localName.equals(e.name()) ? null : new Problem(e.name(), e.centralOffset(),
                "local header names it '" + localName + "' (a reader that trusts either name is misled)");
        return new Local(data, problem);
    }

    /** The entry's bytes as stored in the file (compressed if it is), present: fetched first for a remote file. */
    public MemorySegment raw(Entry e) {
        if (dataOffsets[e.index()] < 0 && !source.present(e.headerOffset(), LOCAL_SIZE)) {
            // header and data in one request rather than two
            long size = source.size();
            source.window(e.headerOffset(), Math.min(size - e.headerOffset(), localGuess(e, size) + e.compressedSize()));
        }
        return source.window(dataOffset(e), e.compressedSize());
    }

    /**
     * The entry's bytes as stored in the file, not fetched yet for a remote file: only for a tensor class that
     * {@linkplain MappedFile#require(MemorySegment) requires} them before reading (the local header is read now).
     */
    public MemorySegment rawUnfetched(Entry e) { return source.lazy(dataOffset(e), e.compressedSize()); }

    /**
     * The entry's content in memory: a view for a stored entry, an inflated copy for a deflated one, refusing to
     * inflate more than {@code max} bytes and checking the CRC of what it inflates.
     */
    public MemorySegment content(Entry e, long max) { return content(e, max, true); }

    /**
     * The entry's content; with {@code checkCrc} false a CRC mismatch is not an error, since PyTorch's reader does
     * not check CRCs and loads the entry anyway (CVE-2025-10156): a scanner reads what torch would run.
     *
     * @throws dev.tensorfile.core.MalformedFileException if the method is neither stored nor deflated (named), the
     *     entry inflates to more than {@code max} or to another size than declared, or its deflate data are corrupt
     */
    public MemorySegment content(Entry e, long max, boolean checkCrc) {
        if (e.stored()) return raw(e);
        if (!e.deflated()) {
            throw new MalformedFileException(format, path, "zip entry '" + e.name() + "'", e.headerOffset(),
                    "compression method " + e.method() + methodName(e.method()) + " is not supported");
        }
        if (e.size() > max) {
            throw new MalformedFileException(format, path, "zip entry '" + e.name() + "'", e.headerOffset(),
                    "inflates to " + e.size() + " bytes, more than the limit of " + max);
        }
        MemorySegment raw = raw(e);
        long dataOffset = dataOffset(e);
        ByteCursor c = new ByteCursor(raw, dataOffset, format, path).structure("zip entry '" + e.name() + "'");
        byte[] out = new byte[(int) Math.max(0, e.size())];
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(raw.asByteBuffer());
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            if (n != out.length) throw c.failAt(0, "inflated " + n + " bytes, the directory says " + e.size());
            if (!inf.finished()) {
                byte[] one = new byte[1];
                if (inf.inflate(one) > 0) throw c.failAt(0, "inflates to more than the " + e.size() + " bytes the directory says");
            }
        } catch (DataFormatException ex) {
            throw c.failAt(0, "deflate data is corrupt: " + ex.getMessage());
        } finally {
            inf.end();
        }
        CRC32 crc = new CRC32();
        crc.update(out);
        if (checkCrc && crc.getValue() != e.crc()) {
            throw c.failAt(0, String.format("CRC-32 %08x does not match the directory's %08x", crc.getValue(), e.crc()));
        }
        return MemorySegment.ofArray(out);
    }

    /** The CRC-32 of an entry's bytes as stored, for verification (fetches them for a remote file, 1 MiB at a time). */
    public long crcOfStored(Entry e) {
        CRC32 crc = new CRC32();
        long data = dataOffset(e);
        for (long at = 0; at < e.compressedSize(); at += 1 << 20) {
            crc.update(source.window(data + at, Math.min(1 << 20, e.compressedSize() - at)).asByteBuffer());
        }
        return crc.getValue();
    }

    /** A reader of a deflated entry's content by offset, inflating on read (see {@link Inflating}). */
    public Inflating inflating(Entry e) {
        if (!e.deflated()) throw new IllegalArgumentException("entry '" + e.name() + "' is not deflated");
        return new Inflating(this, e);
    }

    /**
     * A deflated entry inflated on read. Sequential reads continue where the last one stopped; a read before that
     * position starts again from the entry's beginning. Inflating more or fewer bytes than the directory says is an
     * error, so memory and time stay bounded by the entry's declared size. The compressed bytes are fetched (for a
     * remote file) on the first read, not before.
     */
    public static final class Inflating {
        private final ZipArchive zip;
        private final Entry entry;
        private MemorySegment compressed;
        private Inflater inflater;
        private long position;

        private Inflating(ZipArchive zip, Entry entry) {
            this.zip = zip;
            this.entry = entry;
        }

        /** The entry's inflated size, as the directory declares it. */
        public long size() { return entry.size(); }

        /** Copies {@code dst.byteSize()} inflated bytes from {@code offset}. */
        public synchronized void read(long offset, MemorySegment dst) {
            long size = entry.size();
            if (offset < 0 || offset > size - dst.byteSize()) {
                throw new IndexOutOfBoundsException(entry.name() + ": [" + offset + ", " + (offset + dst.byteSize()) + ") outside " + size);
            }
            if (compressed == null) compressed = zip.raw(entry);
            if (inflater == null || offset < position) {
                if (inflater != null) inflater.end();
                inflater = new Inflater(true);
                inflater.setInput(compressed.asByteBuffer());
                position = 0;
            }
            byte[] buf = new byte[(int) Math.min(1 << 16, Math.max(1, size))];
            try {
                while (position < offset) {
                    int n = inflater.inflate(buf, 0, (int) Math.min(buf.length, offset - position));
                    if (n == 0) throw truncated();
                    position += n;
                }
                long done = 0;
                while (done < dst.byteSize()) {
                    int n = inflater.inflate(buf, 0, (int) Math.min(buf.length, dst.byteSize() - done));
                    if (n == 0) throw truncated();
                    MemorySegment.copy(MemorySegment.ofArray(buf), 0, dst, done, n);
                    done += n;
                    position += n;
                }
            } catch (DataFormatException e) {
                throw new MalformedFileException("zip", zip.path, "zip entry '" + entry.name() + "'", -1,
                        "deflate data is corrupt: " + e.getMessage());
            }
        }

        private MalformedFileException truncated() {
            return new MalformedFileException("zip", zip.path, "zip entry '" + entry.name() + "'", -1,
                    "inflates to " + position + " bytes, fewer than the " + entry.size() + " its directory entry says");
        }
    }
}
