package dev.tensorfile.pickle.archive;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A ZIP archive read from its central directory over the mapping (APPNOTE.TXT 4.3), the way PyTorch's miniz reader
 * does it: general-purpose flag bits are ignored and CRCs are not required to match for the archive to open (PyTorch
 * builds miniz with {@code MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS}), so what torch would load is what we read. What
 * a careful reader would reject — duplicate names, names that differ only in case (miniz looks names up
 * case-insensitively), path traversal, local and central names that differ, absurd inflated sizes, CRC mismatches —
 * is collected in {@link #problems()}: the scanner reports each, and a file opened for its tensors refuses them.
 *
 * <p>An archive appended after other bytes (a pickle) is found from its end-of-central-directory record, and its
 * offsets are shifted by the prefix as Python's {@code zipfile} does.
 */
public final class ZipArchive {
    static final int LOCAL_SIGNATURE = 0x04034b50;
    private static final int CENTRAL_SIGNATURE = 0x02014b50;
    private static final int EOCD_SIGNATURE = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_EOCD_SIGNATURE = 0x06064b50;
    /** Deflate cannot exceed about 1032:1 (RFC 1951: 258 bytes per 2-bit code at best); more is a lie. */
    static final long MAX_DEFLATE_RATIO = 1100;

    /**
     * One entry.
     *
     * @param name the central directory's name
     * @param method 0 stored, 8 deflated (others are listed but not read)
     * @param crc the CRC-32 the directory claims
     * @param compressedSize bytes of data in the file
     * @param size bytes once inflated
     * @param headerOffset absolute offset of its local header
     * @param dataOffset absolute offset of its data
     */
    public record Entry(String name, int method, int flags, long crc, long compressedSize, long size, long headerOffset,
            long dataOffset) {
        public boolean stored() { return method == 0; }

        /** General-purpose flag bit 0 (APPNOTE 4.4.4): the entry is encrypted. */
        public boolean encrypted() { return (flags & 1) != 0; }
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

    private final MemorySegment file;
    private final Path path;
    private final String format;
    private final long start;
    private final List<Entry> entries;
    private final List<Problem> problems;
    private final Map<String, Entry> byLowerName;

    private ZipArchive(MemorySegment file, Path path, String format, long start, List<Entry> entries,
            List<Problem> problems) {
        this.file = file;
        this.path = path;
        this.format = format;
        this.start = start;
        this.entries = List.copyOf(entries);
        this.problems = problems;
        Map<String, Entry> m = new HashMap<>();
        for (Entry e : entries) m.putIfAbsent(e.name().toLowerCase(Locale.ROOT), e);
        this.byLowerName = m;
    }

    /** Entries in central-directory order. */
    public List<Entry> entries() { return entries; }

    /** Where the archive starts in the file (0 unless something was prepended). */
    public long start() { return start; }

    /** What a careful reader rejects (each is a finding when scanning, an error when opening). */
    public List<Problem> problems() { return problems; }

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

    /** The entry of that name, looked up case-insensitively as miniz's {@code mz_zip_reader_locate_file} does. */
    public Entry find(String name) { return byLowerName.get(name.toLowerCase(Locale.ROOT)); }

    /** True if the file ends with an end-of-central-directory record. */
    public static boolean hasEndRecord(MemorySegment file) { return findEnd(file) >= 0; }

    private static long findEnd(MemorySegment file) {
        long size = file.byteSize();
        long lowest = Math.max(0, size - 22 - 65_535);
        for (long p = size - 22; p >= lowest; p--) {
            if (file.get(ValueLayout.JAVA_INT_UNALIGNED, p) == EOCD_SIGNATURE) {
                int commentLength = Short.toUnsignedInt(file.get(ValueLayout.JAVA_SHORT_UNALIGNED, p + 20));
                if (p + 22 + commentLength <= size) return p;
            }
        }
        return -1;
    }

    /**
     * Reads the central directory.
     *
     * @throws MalformedFileException if there is no end record or the directory breaks the format
     */
    public static ZipArchive read(MemorySegment file, Path path, String format, long maxEntries) {
        long eocd = findEnd(file);
        ByteCursor c = new ByteCursor(file, 0, format, path).structure("zip end of central directory");
        if (eocd < 0) throw c.failAt(Math.max(0, file.byteSize() - 22), "no end-of-central-directory record");
        c.seek(eocd + 10);
        long count = c.u16();
        long cdSize = c.u32();
        long cdOffset = c.u32();
        long cdEnd = eocd;
        if (eocd >= 20 && file.get(ValueLayout.JAVA_INT_UNALIGNED, eocd - 20) == ZIP64_LOCATOR_SIGNATURE) {
            c.structure("zip64 end of central directory locator").seek(eocd - 20 + 8);
            long z64 = c.u64Size("zip64 end record offset");
            // The locator's offset is relative to the archive start, which a prefix shifts: search back for it.
            long at = eocd - 20 - 56;
            if (at < 0 || file.get(ValueLayout.JAVA_INT_UNALIGNED, at) != ZIP64_EOCD_SIGNATURE) {
                if (z64 > file.byteSize() - 56) throw c.fail("zip64 end record offset " + z64 + " outside the file");
                at = z64;
            }
            c.structure("zip64 end of central directory").seek(at);
            if (c.i32() != ZIP64_EOCD_SIGNATURE) throw c.failAt(at, "bad zip64 end record signature");
            c.skip(8 + 2 + 2 + 4 + 4 + 8);
            count = c.u64Size("entry count");
            cdSize = c.u64Size("central directory size");
            cdOffset = c.u64Size("central directory offset");
            cdEnd = at;
        }
        if (cdSize > cdEnd) throw c.failAt(eocd, "central directory of " + cdSize + " bytes does not fit before its end record");
        long cdStart = cdEnd - cdSize;
        long shift = cdStart - cdOffset;
        if (shift < 0) throw c.failAt(eocd, "central directory offset " + cdOffset + " points past its end record");
        ByteCursor d = new ByteCursor(file.asSlice(cdStart, cdSize), cdStart, format, path).structure("zip central directory");
        d.requireCount(count, 46, "zip entry");
        if (count > maxEntries) throw d.fail("zip entry count " + count + " is above the limit of " + maxEntries);
        List<Entry> entries = new ArrayList<>((int) count);
        List<Problem> problems = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        long first = Long.MAX_VALUE;
        for (long i = 0; i < count; i++) {
            long at = d.position();
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
            String name = new String(d.bytes(nameLength), java.nio.charset.StandardCharsets.UTF_8);
            ByteCursor x = d.split(extraLength);
            while (x.remaining() >= 4) {
                int id = x.u16();
                int len = x.u16();
                ByteCursor f = x.split(Math.min(len, x.remaining()));
                if (id == 0x0001) {
                    if (usize == 0xFFFFFFFFL && f.remaining() >= 8) usize = f.u64Size("zip64 size");
                    if (csize == 0xFFFFFFFFL && f.remaining() >= 8) csize = f.u64Size("zip64 compressed size");
                    if (local == 0xFFFFFFFFL && f.remaining() >= 8) local = f.u64Size("zip64 header offset");
                }
            }
            d.skip(commentLength);
            if (disk != 0 && disk != 0xFFFF) problems.add(new Problem(name, cdStart + at, "on disk " + disk + " of a multi-disk archive"));
            long header = local + shift;
            ByteCursor h = new ByteCursor(file, 0, format, path).structure("zip local header of '" + name + "'");
            if (header < 0 || header > file.byteSize() - 30) throw d.failAt(at, "local header offset " + local + " outside the file");
            h.seek(header);
            if (h.i32() != LOCAL_SIGNATURE) throw h.failAt(header, "bad local header signature");
            h.skip(22);
            int localNameLength = h.u16();
            int localExtraLength = h.u16();
            String localName = new String(h.bytes(localNameLength), java.nio.charset.StandardCharsets.UTF_8);
            h.skip(localExtraLength);
            long data = h.position();
            if (csize > file.byteSize() - data) {
                throw d.failAt(at, "entry '" + name + "' data of " + csize + " bytes at " + data + " runs past the end of the file");
            }
            if (!localName.equals(name)) {
                problems.add(new Problem(name, cdStart + at, "local header names it '" + localName + "' (a reader that trusts either name is misled)"));
            }
            String previous = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
            if (previous != null) {
                problems.add(new Problem(name, cdStart + at, (previous.equals(name) ? "duplicate entry name" : "differs only in case from '"
                        + previous + "' (miniz looks names up case-insensitively)")));
            }
            if (traverses(name)) problems.add(new Problem(name, cdStart + at, "entry name leaves the archive (absolute or '..')"));
            if (method == 8 && usize > csize * MAX_DEFLATE_RATIO + (1 << 20)) {
                problems.add(new Problem(name, cdStart + at, "claims " + usize + " bytes inflated from " + csize
                        + " (beyond deflate's 1032:1 limit: a zip bomb)"));
            }
            if (method == 0 && usize != csize) {
                problems.add(new Problem(name, cdStart + at, "stored entry with size " + usize + " and compressed size " + csize));
            }
            first = Math.min(first, header);
            entries.add(new Entry(name, method, flags, crc, csize, usize, header, data));
        }
        return new ZipArchive(file, path, format, entries.isEmpty() ? cdStart : Math.min(first, cdStart), entries, problems);
    }

    private static boolean traverses(String name) {
        if (name.startsWith("/") || name.startsWith("\\") || (name.length() > 1 && name.charAt(1) == ':')) return true;
        for (String part : name.split("[/\\\\]")) if (part.equals("..")) return true;
        return false;
    }

    /** The entry's bytes as stored in the file (compressed if it is). */
    public MemorySegment raw(Entry e) { return file.asSlice(e.dataOffset(), e.compressedSize()); }

    /**
     * The entry's content in memory: a view for a stored entry, an inflated copy for a deflated one, refusing to
     * inflate more than {@code max} bytes and checking the CRC of what it inflates.
     */
    public MemorySegment content(Entry e, long max) { return content(e, max, true); }

    /**
     * The entry's content; with {@code checkCrc} false a CRC mismatch is not an error, since PyTorch's reader does
     * not check CRCs and loads the entry anyway (CVE-2025-10156): the scanner reads what torch would run.
     */
    public MemorySegment content(Entry e, long max, boolean checkCrc) {
        if (e.stored()) return raw(e);
        ByteCursor c = new ByteCursor(file, 0, format, path).structure("zip entry '" + e.name() + "'");
        if (e.method() != 8) throw c.failAt(e.headerOffset(), "compression method " + e.method() + " is not supported");
        if (e.size() > max) {
            throw c.failAt(e.headerOffset(), "inflates to " + e.size() + " bytes, more than the limit of " + max);
        }
        byte[] out = new byte[(int) Math.max(0, e.size())];
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(raw(e).asByteBuffer());
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            if (n != out.length) throw c.failAt(e.dataOffset(), "inflated " + n + " bytes, the directory says " + e.size());
            if (!inf.finished()) {
                byte[] one = new byte[1];
                if (inf.inflate(one) > 0) throw c.failAt(e.dataOffset(), "inflates to more than the " + e.size() + " bytes the directory says");
            }
        } catch (DataFormatException ex) {
            throw c.failAt(e.dataOffset(), "deflate data is corrupt: " + ex.getMessage());
        } finally {
            inf.end();
        }
        CRC32 crc = new CRC32();
        crc.update(out);
        if (checkCrc && crc.getValue() != e.crc()) {
            throw c.failAt(e.dataOffset(), String.format("CRC-32 %08x does not match the directory's %08x", crc.getValue(), e.crc()));
        }
        return MemorySegment.ofArray(out);
    }

    /** The CRC-32 of a stored entry's bytes, for verification. */
    public long crcOfStored(Entry e) {
        CRC32 crc = new CRC32();
        MemorySegment s = raw(e);
        for (long at = 0; at < s.byteSize(); at += 1 << 20) {
            crc.update(s.asSlice(at, Math.min(1 << 20, s.byteSize() - at)).asByteBuffer());
        }
        return crc.getValue();
    }
}
