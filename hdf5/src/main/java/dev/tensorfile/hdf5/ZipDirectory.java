package dev.tensorfile.hdf5;

import dev.tensorfile.core.spi.ByteCursor;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The central directory of a zip archive (PKWARE APPNOTE 4.3.12–4.3.16, ZIP64 included), read from a mapping so
 * stored members can be used in place. Only what a {@code .keras} archive needs: names, methods, sizes and where
 * each member's data starts.
 */
final class ZipDirectory {
    static final String FORMAT = "keras";

    /** One member; {@code dataOffset} is the absolute offset of its (stored or compressed) bytes. */
    record Entry(String name, int method, long compressedSize, long size, long dataOffset) {}

    private ZipDirectory() {}

    static boolean looksLikeZip(MemorySegment s) {
        return s.byteSize() >= 22 && s.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0) == 0x04034b50;
    }

    static List<Entry> read(MemorySegment s, Path path) {
        ByteCursor c = new ByteCursor(s, 0, FORMAT, path).structure("zip end of central directory");
        long eocd = -1;
        for (long at = s.byteSize() - 22; at >= 0 && at >= s.byteSize() - 22 - 65535; at--) {
            if (s.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, at) == 0x06054b50) {
                eocd = at;
                break;
            }
        }
        if (eocd < 0) throw c.fail("no zip end of central directory record");
        c.seek(eocd + 10);
        long count = c.u16();
        c.u32();
        long cdOffset = c.u32();
        if ((count == 0xFFFF || cdOffset == 0xFFFFFFFFL) && eocd >= 20) {
            c.seek(eocd - 20);
            if (c.i32() == 0x07064b50) {
                c.skip(4);
                long z = c.u64Size("zip64 end of central directory offset");
                c.structure("zip64 end of central directory").seek(z);
                if (c.i32() != 0x06064b50) throw c.failAt(z, "zip64 end of central directory signature is wrong");
                c.skip(8 + 2 + 2 + 4 + 4 + 8);
                count = c.u64Size("zip64 entry count");
                c.skip(8);
                cdOffset = c.u64Size("zip64 central directory offset");
            }
        }
        c.structure("zip central directory").seek(cdOffset);
        c.requireCount(count, 46, "zip entry");
        List<Entry> entries = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            long at = c.position();
            if (c.i32() != 0x02014b50) throw c.failAt(at, "central directory entry signature is wrong");
            c.skip(6);
            int method = c.u16();
            c.skip(8);
            long csize = c.u32();
            long usize = c.u32();
            int n = c.u16(), e = c.u16(), k = c.u16();
            c.skip(8);
            long local = c.u32();
            String name = c.utf8(n);
            ByteCursor extra = c.split(e);
            c.skip(k);
            while (extra.remaining() >= 4) {
                int id = extra.u16();
                int len = extra.u16();
                ByteCursor x = extra.split(len);
                if (id == 1) {
                    if (usize == 0xFFFFFFFFL) usize = x.u64Size("zip64 size");
                    if (csize == 0xFFFFFFFFL) csize = x.u64Size("zip64 compressed size");
                    if (local == 0xFFFFFFFFL) local = x.u64Size("zip64 local header offset");
                }
            }
            ByteCursor lh = new ByteCursor(s, 0, FORMAT, path).structure("zip local header of " + name).seek(local);
            if (lh.i32() != 0x04034b50) throw lh.failAt(local, "local header signature is wrong");
            lh.skip(22);
            int ln = lh.u16(), le = lh.u16();
            long data = local + 30 + ln + le;
            if (data > s.byteSize() || csize > s.byteSize() - data) {
                throw lh.failAt(local, "member '" + name + "' of " + csize + " bytes runs past the end of the archive");
            }
            entries.add(new Entry(name, method, csize, usize, data));
        }
        return entries;
    }
}
