package dev.tensorfile.pickle.archive;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A bzip2 decoder over a mapped segment (joblib's {@code compress='bz2'}, Python's {@code bz2} module): the format
 * as bzip2 1.0.8 writes it (stream header {@code BZh1}..{@code BZh9}, blocks of Huffman-coded MTF/RLE2 symbols, the
 * Burrows-Wheeler transform, the initial run-length coding, block and stream CRCs), and streams concatenated one
 * after another as Python's {@code bz2} reads them. Memory is one block (at most 900 000 symbols, 4.5 MB) whatever
 * the input; every count, length and table index is checked, and a broken stream is an {@link IOException} naming
 * the bit offset. Randomised blocks (written only by bzip2 before 0.9.5) are refused.
 */
final class Bzip2Decoder extends InputStream {
    private static final long BLOCK_MAGIC = 0x314159265359L;
    private static final long END_MAGIC = 0x177245385090L;
    private static final int MAX_GROUPS = 6;
    private static final int GROUP_SIZE = 50;
    private static final int MAX_CODE_LENGTH = 20;
    /** bzip2 1.0.8 reads at most this many selectors and ignores the rest (CVE-2019-12900). */
    private static final int MAX_SELECTORS = 18002;
    private static final int[] CRC_TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i << 24;
            for (int k = 0; k < 8; k++) c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04c11db7 : c << 1;
            CRC_TABLE[i] = c;
        }
    }

    private final MemorySegment in;
    private long bit; // next bit to read, from the start of the segment
    private int blockSize;
    private int streamCrc;
    private boolean done;

    // the current block, after the inverse BWT
    private int[] tt = new int[0];
    private int remaining; // BWT output bytes left in the block
    private int next; // index into tt of the next BWT output byte
    private int blockCrc, expectedBlockCrc;
    private boolean inBlock;
    // the initial run-length decoding (RLE1) state
    private int last = -1, repeat, pendingRun, pendingByte;

    Bzip2Decoder(MemorySegment in) throws IOException {
        this.in = in;
        streamHeader();
    }

    private void streamHeader() throws IOException {
        if (bits(8) != 'B' || bits(8) != 'Z' || bits(8) != 'h') throw fail("not a bzip2 stream (no 'BZh' magic)");
        int level = bits(8) - '0';
        if (level < 1 || level > 9) throw fail("block size digit " + level + " is not 1 to 9");
        blockSize = level * 100_000;
        streamCrc = 0;
    }

    private IOException fail(String what) {
        return new IOException("bzip2 stream at byte " + (bit >>> 3) + ": " + what);
    }

    private int bits(int n) throws IOException {
        if (bit + n > in.byteSize() * 8) throw fail("ends in the middle of a block");
        int v = 0;
        for (int i = 0; i < n; i++) {
            int b = in.get(ValueLayout.JAVA_BYTE, bit >>> 3) >> (7 - (int) (bit & 7)) & 1;
            v = (v << 1) | b;
            bit++;
        }
        return v;
    }

    private boolean bit() throws IOException { return bits(1) == 1; }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        int n = 0;
        while (n < len) {
            if (pendingRun > 0) {
                b[off + n++] = (byte) pendingByte;
                pendingRun--;
                continue;
            }
            if (remaining == 0) {
                if (!nextBlock()) break;
                continue;
            }
            int v = tt[next];
            next = v >>> 8;
            remaining--;
            int c = v & 0xFF;
            if (repeat == 4) {
                // after four equal bytes, the next byte is how many more follow
                pendingRun = c;
                pendingByte = last;
                for (int i = 0; i < c; i++) blockCrc = crc(blockCrc, last);
                repeat = 0;
                last = -1;
                continue;
            }
            if (c == last) repeat++;
            else {
                repeat = 1;
                last = c;
            }
            blockCrc = crc(blockCrc, c);
            b[off + n++] = (byte) c;
        }
        return n == 0 ? -1 : n;
    }

    private static int crc(int crc, int b) { return (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xFF]; }

    /** Finishes the current block and reads the next one; false at the end of the last stream. */
    private boolean nextBlock() throws IOException {
        if (done) return false;
        if (inBlock) {
            inBlock = false;
            if (~blockCrc != expectedBlockCrc) {
                throw fail(String.format("block CRC %08x does not match the stored %08x", ~blockCrc, expectedBlockCrc));
            }
            streamCrc = (streamCrc << 1 | streamCrc >>> 31) ^ expectedBlockCrc;
        }
        last = -1;
        repeat = 0;
        long magic = (long) bits(24) << 24 | bits(24);
        if (magic == END_MAGIC) {
            int stored = bits(32);
            if (stored != streamCrc) throw fail(String.format("stream CRC %08x does not match the stored %08x", streamCrc, stored));
            bit = (bit + 7) & ~7L;
            // Python's bz2 reads streams written one after another (pbzip2, appended files) and ignores trailing
            // bytes that do not start another stream
            long at = bit >>> 3;
            if (in.byteSize() - at >= 4 && in.get(ValueLayout.JAVA_BYTE, at) == 'B' && in.get(ValueLayout.JAVA_BYTE, at + 1) == 'Z'
                    && in.get(ValueLayout.JAVA_BYTE, at + 2) == 'h' && in.get(ValueLayout.JAVA_BYTE, at + 3) >= '1'
                    && in.get(ValueLayout.JAVA_BYTE, at + 3) <= '9') {
                streamHeader();
                return nextBlock();
            }
            done = true;
            return false;
        }
        if (magic != BLOCK_MAGIC) throw fail(String.format("block magic %012x is neither a block nor the end", magic));
        expectedBlockCrc = bits(32);
        blockCrc = -1;
        if (bit()) throw fail("randomised block (bzip2 before 0.9.5 wrote these) is not supported");
        int origPtr = bits(24);
        decodeBlock(origPtr);
        inBlock = true;
        return true;
    }

    private void decodeBlock(int origPtr) throws IOException {
        // symbols in use: a 16-bit map of 16-symbol ranges, then a 16-bit map per range used
        int ranges = bits(16);
        int[] seqToUnseq = new int[256];
        int inUse = 0;
        for (int i = 0; i < 16; i++) {
            if ((ranges & (0x8000 >>> i)) == 0) continue;
            int used = bits(16);
            for (int j = 0; j < 16; j++) if ((used & (0x8000 >>> j)) != 0) seqToUnseq[inUse++] = i * 16 + j;
        }
        if (inUse == 0) throw fail("block uses no symbols");
        int alphaSize = inUse + 2;
        int groups = bits(3);
        if (groups < 2 || groups > MAX_GROUPS) throw fail("Huffman group count " + groups + " is not 2 to 6");
        int selectors = bits(15);
        if (selectors < 1) throw fail("no Huffman selectors");
        byte[] selector = new byte[Math.min(selectors, MAX_SELECTORS)];
        byte[] mtfGroups = new byte[MAX_GROUPS];
        for (int i = 0; i < groups; i++) mtfGroups[i] = (byte) i;
        for (int i = 0; i < selectors; i++) {
            int j = 0;
            while (bit()) if (++j >= groups) throw fail("selector " + i + " names group " + j + " of " + groups);
            byte g = mtfGroups[j];
            System.arraycopy(mtfGroups, 0, mtfGroups, 1, j);
            mtfGroups[0] = g;
            if (i < selector.length) selector[i] = g;
        }
        int[][] limit = new int[groups][], base = new int[groups][], perm = new int[groups][];
        int[] minLength = new int[groups];
        for (int t = 0; t < groups; t++) {
            int[] length = new int[alphaSize];
            int curr = bits(5);
            for (int s = 0; s < alphaSize; s++) {
                while (true) {
                    if (curr < 1 || curr > MAX_CODE_LENGTH) throw fail("Huffman code length " + curr + " is not 1 to 20");
                    if (!bit()) break;
                    curr += bit() ? -1 : 1;
                }
                length[s] = curr;
            }
            huffmanTables(length, alphaSize, t, limit, base, perm, minLength);
        }

        // Huffman + RLE2 (RUNA/RUNB) + move-to-front, into the BWT's last column
        int[] unzftab = new int[256];
        byte[] mtf = new byte[256];
        for (int i = 0; i < 256; i++) mtf[i] = (byte) i;
        int[] column = tt.length == blockSize ? tt : (tt = new int[blockSize]);
        int count = 0;
        int eob = inUse + 1;
        int groupIndex = -1, groupLeft = 0;
        int run = 0, runWeight = 1;
        while (true) {
            if (groupLeft == 0) {
                if (++groupIndex >= selector.length) throw fail("more symbols than the selectors cover");
                groupLeft = GROUP_SIZE;
            }
            groupLeft--;
            int g = selector[groupIndex];
            int sym = decodeSymbol(limit[g], base[g], perm[g], minLength[g]);
            if (sym <= 1) { // RUNA = 0, RUNB = 1: a bijective base-2 run length of the front symbol
                if (runWeight > blockSize) throw fail("run longer than the block");
                run += (sym + 1) * runWeight;
                runWeight <<= 1;
                if (run > blockSize) throw fail("run longer than the block");
                continue;
            }
            if (run > 0) {
                int b = seqToUnseq[mtf[0] & 0xFF];
                if (count + run > blockSize) throw fail("block holds more than " + blockSize + " bytes");
                unzftab[b] += run;
                for (int i = 0; i < run; i++) column[count++] = b;
                run = 0;
                runWeight = 1;
            }
            if (sym == eob) break;
            if (sym > eob) throw fail("symbol " + sym + " beyond the block's alphabet");
            int j = sym - 1;
            byte m = mtf[j];
            System.arraycopy(mtf, 0, mtf, 1, j);
            mtf[0] = m;
            int b = seqToUnseq[m & 0xFF];
            if (count >= blockSize) throw fail("block holds more than " + blockSize + " bytes");
            unzftab[b]++;
            column[count++] = b;
        }
        if (origPtr >= count) throw fail("BWT origin " + origPtr + " outside the block of " + count + " bytes");

        // inverse Burrows-Wheeler: link each position to the next, in the high bits beside its byte
        int[] cftab = new int[257];
        for (int i = 0; i < 256; i++) cftab[i + 1] = cftab[i] + unzftab[i];
        for (int i = 0; i < count; i++) {
            int b = column[i] & 0xFF;
            column[cftab[b]++] |= i << 8;
        }
        next = column[origPtr] >>> 8;
        remaining = count;
    }

    private static void huffmanTables(int[] length, int alphaSize, int t, int[][] limit, int[][] base, int[][] perm,
            int[] minLength) {
        int min = 32, max = 0;
        for (int s = 0; s < alphaSize; s++) {
            min = Math.min(min, length[s]);
            max = Math.max(max, length[s]);
        }
        int[] p = new int[alphaSize];
        int pp = 0;
        for (int len = min; len <= max; len++) for (int s = 0; s < alphaSize; s++) if (length[s] == len) p[pp++] = s;
        int[] lim = new int[MAX_CODE_LENGTH + 2], bs = new int[MAX_CODE_LENGTH + 2];
        int[] countOf = new int[MAX_CODE_LENGTH + 2];
        for (int s = 0; s < alphaSize; s++) countOf[length[s]]++;
        int code = 0, index = 0;
        for (int len = 1; len <= MAX_CODE_LENGTH; len++) {
            // codes of this length are code .. code + countOf[len] - 1; their symbols start at perm[index]
            bs[len] = index - code;
            code += countOf[len];
            index += countOf[len];
            lim[len] = countOf[len] == 0 ? -1 : code - 1;
            code <<= 1;
        }
        limit[t] = lim;
        base[t] = bs;
        perm[t] = p;
        minLength[t] = min;
    }

    private int decodeSymbol(int[] limit, int[] base, int[] perm, int min) throws IOException {
        int len = min;
        int code = bits(min);
        while (true) {
            if (limit[len] >= 0 && code <= limit[len]) {
                int i = base[len] + code;
                if (i < 0 || i >= perm.length) throw fail("Huffman code outside its table");
                return perm[i];
            }
            if (++len > MAX_CODE_LENGTH) throw fail("no Huffman code matches");
            code = (code << 1) | bits(1);
        }
    }
}
