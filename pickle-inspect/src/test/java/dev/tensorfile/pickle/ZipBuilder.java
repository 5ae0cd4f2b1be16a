package dev.tensorfile.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Writes ZIP archives by hand (APPNOTE 4.3), with the lies hostile archives tell: for tests. */
final class ZipBuilder {
    /** One entry and the ways it may lie. */
    static final class Entry {
        final String name;
        final byte[] data;
        boolean deflate;
        int flags;
        String localName;
        Long crcOverride;
        Long sizeOverride;
        /** Already deflated bytes (method 8); {@code data} is then ignored and size and CRC must be given. */
        byte[] deflated;

        Entry(String name, byte[] data) {
            this.name = name;
            this.data = data;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private byte[] prefix = new byte[0];

    Entry add(String name, byte[] data) {
        Entry e = new Entry(name, data);
        entries.add(e);
        return e;
    }

    ZipBuilder prefix(byte[] p) {
        this.prefix = p;
        return this;
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(prefix, 0, prefix.length);
        ByteArrayOutputStream cd = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] stored = e.data;
            if (e.deflated != null) {
                stored = e.deflated;
                e.deflate = true;
            } else if (e.deflate) {
                Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
                d.setInput(e.data);
                d.finish();
                byte[] buf = new byte[e.data.length * 2 + 64];
                int n = d.deflate(buf);
                d.end();
                stored = java.util.Arrays.copyOf(buf, n);
            }
            CRC32 crc = new CRC32();
            if (e.data != null) crc.update(e.data);
            long crcValue = e.crcOverride != null ? e.crcOverride : crc.getValue();
            long size = e.sizeOverride != null ? e.sizeOverride : e.data == null ? 0 : e.data.length;
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            byte[] localName = (e.localName != null ? e.localName : e.name).getBytes(StandardCharsets.UTF_8);
            long offset = out.size() - prefix.length;
            int method = e.deflate ? 8 : 0;
            le(out, 0x04034b50, 4); le(out, 20, 2); le(out, e.flags, 2); le(out, method, 2); le(out, 0, 4);
            le(out, crcValue, 4); le(out, stored.length, 4); le(out, size, 4); le(out, localName.length, 2); le(out, 0, 2);
            out.write(localName, 0, localName.length);
            out.write(stored, 0, stored.length);
            le(cd, 0x02014b50, 4); le(cd, 20, 2); le(cd, 20, 2); le(cd, e.flags, 2); le(cd, method, 2); le(cd, 0, 4);
            le(cd, crcValue, 4); le(cd, stored.length, 4); le(cd, size, 4); le(cd, name.length, 2); le(cd, 0, 2);
            le(cd, 0, 2); le(cd, 0, 2); le(cd, 0, 2); le(cd, 0, 4); le(cd, offset, 4);
            cd.write(name, 0, name.length);
        }
        long cdOffset = out.size() - prefix.length;
        byte[] c = cd.toByteArray();
        out.write(c, 0, c.length);
        le(out, 0x06054b50, 4); le(out, 0, 2); le(out, 0, 2); le(out, entries.size(), 2); le(out, entries.size(), 2);
        le(out, c.length, 4); le(out, cdOffset, 4); le(out, 0, 2);
        return out.toByteArray();
    }

    private static void le(ByteArrayOutputStream out, long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >> (8 * i)) & 0xFF);
    }
}
