package dev.tensorfile.hdf5;

import dev.tensorfile.core.spi.AtomicFileOutput;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a zip archive of stored (uncompressed) members, as Python's {@code zipfile} writes a {@code .keras} archive
 * (PKWARE APPNOTE 4.3.7 local header, 4.3.12 central directory, 4.3.14–4.3.16 ZIP64 records). Small members are
 * written whole; one large member may be streamed: its local header is reserved first and completed when its
 * length and CRC-32 are known, and its data starts on a 64-byte boundary so tensors inside stay aligned in a mapping.
 */
final class StoredZip {
    private static final int LOCAL = 0x04034b50, CENTRAL = 0x02014b50, END = 0x06054b50, END64 = 0x06064b50,
            LOCATOR64 = 0x07064b50;
    private static final int ZIP64_EXTRA = 0x0001;
    /** The extra-field id Android's zipalign uses for alignment padding; readers skip unknown ids (APPNOTE 4.5.1). */
    private static final int PADDING_EXTRA = 0xD935;
    private static final long MAX32 = 0xFFFFFFFFL;
    /** 1980-01-01 00:00, the earliest MS-DOS date: archives do not depend on when they were written. */
    private static final int DOS_TIME = 0, DOS_DATE = (1 << 5) | 1;

    private record Member(String name, long offset, long size, int crc) {}

    private final AtomicFileOutput out;
    private final List<Member> members = new ArrayList<>();
    private String streaming;
    private long streamingHeader;
    private int streamingExtra;

    StoredZip(AtomicFileOutput out) { this.out = out; }

    /** Writes a whole member. */
    void add(String name, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        long offset = out.position();
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        out.write(localHeader(n, 20, (int) crc.getValue(), data.length, new byte[0]));
        out.write(data);
        members.add(new Member(name, offset, data.length, (int) crc.getValue()));
    }

    /**
     * Starts a member whose data the caller appends next; the data will start at a multiple of 64 in the archive.
     * Room for a ZIP64 extra field is reserved, since the length is not known yet.
     */
    void begin(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        streaming = name;
        streamingHeader = out.position();
        long dataStart = streamingHeader + 30 + n.length + 20;
        int pad = (int) ((64 - dataStart % 64) % 64);
        if (pad > 0 && pad < 4) pad += 64; // a padding field needs its own 4-byte header
        streamingExtra = 20 + pad;
        out.write(localHeader(n, 20, 0, 0, new byte[streamingExtra]));
    }

    /** Completes the member begun by {@link #begin}: its data was {@code size} bytes with CRC-32 {@code crc}. */
    void end(long size, int crc) {
        byte[] n = streaming.getBytes(StandardCharsets.UTF_8);
        boolean zip64 = size >= MAX32;
        ByteBuffer extra = ByteBuffer.allocate(streamingExtra).order(ByteOrder.LITTLE_ENDIAN);
        if (zip64) {
            extra.putShort((short) ZIP64_EXTRA).putShort((short) 16).putLong(size).putLong(size);
        } else {
            extra.putShort((short) PADDING_EXTRA).putShort((short) 16).putLong(0).putLong(0);
        }
        if (streamingExtra > 20) extra.putShort((short) PADDING_EXTRA).putShort((short) (streamingExtra - 24));
        out.writeAt(streamingHeader, ByteBuffer.wrap(localHeader(n, zip64 ? 45 : 20, crc, size, extra.array())));
        members.add(new Member(streaming, streamingHeader, size, crc));
        streaming = null;
    }

    /** Writes the central directory and its end records. */
    void finish() {
        long cdStart = out.position();
        boolean anyZip64 = false;
        for (Member m : members) {
            boolean bigSize = m.size() >= MAX32, bigOffset = m.offset() >= MAX32;
            anyZip64 |= bigSize || bigOffset;
            ByteBuffer z = ByteBuffer.allocate((bigSize || bigOffset ? 4 : 0) + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0))
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (bigSize || bigOffset) z.putShort((short) ZIP64_EXTRA).putShort((short) (z.capacity() - 4));
            if (bigSize) z.putLong(m.size()).putLong(m.size());
            if (bigOffset) z.putLong(m.offset());
            byte[] n = m.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer c = ByteBuffer.allocate(46 + n.length + z.capacity()).order(ByteOrder.LITTLE_ENDIAN);
            int version = bigSize || bigOffset ? 45 : 20;
            c.putInt(CENTRAL).putShort((short) (3 << 8 | version)).putShort((short) version)
                    .putShort((short) 0x0800) // names are UTF-8 (APPNOTE 4.4.4 bit 11)
                    .putShort((short) 0).putShort((short) DOS_TIME).putShort((short) DOS_DATE).putInt(m.crc())
                    .putInt((int) Math.min(m.size(), MAX32)).putInt((int) Math.min(m.size(), MAX32))
                    .putShort((short) n.length).putShort((short) z.capacity()).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0644 << 16) // regular file, rw-r--r--
                    .putInt((int) Math.min(m.offset(), MAX32)).put(n).put(z.array());
            out.write(c.array());
        }
        long cdSize = out.position() - cdStart;
        if (anyZip64 || cdStart >= MAX32) {
            long end64 = out.position();
            ByteBuffer e = ByteBuffer.allocate(56 + 20).order(ByteOrder.LITTLE_ENDIAN);
            e.putInt(END64).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(members.size()).putLong(members.size()).putLong(cdSize).putLong(cdStart);
            e.putInt(LOCATOR64).putInt(0).putLong(end64).putInt(1);
            out.write(e.array());
        }
        ByteBuffer e = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(END).putShort((short) 0).putShort((short) 0).putShort((short) members.size())
                .putShort((short) members.size()).putInt((int) Math.min(cdSize, MAX32))
                .putInt((int) Math.min(cdStart, MAX32)).putShort((short) 0);
        out.write(e.array());
    }

    private static byte[] localHeader(byte[] name, int version, int crc, long size, byte[] extra) {
        long s = size >= MAX32 ? MAX32 : size;
        return ByteBuffer.allocate(30 + name.length + extra.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(LOCAL).putShort((short) version).putShort((short) 0x0800).putShort((short) 0)
                .putShort((short) DOS_TIME).putShort((short) DOS_DATE).putInt(crc).putInt((int) s).putInt((int) s)
                .putShort((short) name.length).putShort((short) extra.length).put(name).put(extra).array();
    }

    /**
     * The CRC-32 of {@code A || B} from the CRC-32s of A and B and B's length (zlib's {@code crc32_combine}:
     * appending {@code len2} zero bytes is a linear map over GF(2), applied by repeated squaring).
     */
    static int crc32Combine(int crc1, int crc2, long len2) {
        if (len2 <= 0) return crc1;
        long[] even = new long[32];
        long[] odd = new long[32];
        odd[0] = 0xEDB88320L; // the CRC-32 polynomial: the operator for one zero bit
        long row = 1;
        for (int n = 1; n < 32; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        long c1 = crc1 & MAX32;
        do {
            square(even, odd); // first pass: one zero byte
            if ((len2 & 1) != 0) c1 = times(even, c1);
            len2 >>= 1;
            if (len2 == 0) break;
            square(odd, even);
            if ((len2 & 1) != 0) c1 = times(odd, c1);
            len2 >>= 1;
        } while (len2 != 0);
        return (int) (c1 ^ (crc2 & MAX32));
    }

    private static long times(long[] matrix, long vector) {
        long sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) if ((vector & 1) != 0) sum ^= matrix[i];
        return sum;
    }

    private static void square(long[] result, long[] matrix) {
        for (int n = 0; n < 32; n++) result[n] = times(matrix, matrix[n]);
    }
}
