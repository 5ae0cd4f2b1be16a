package dev.tensorfile.hdf5.filter;

import dev.tensorfile.hdf5.format.AddressSpace;

/**
 * Zstandard decompression (RFC 8878), for Blosc's zstd codec: frames of raw,
 * RLE and compressed blocks; literals raw, RLE or Huffman-coded (one or four streams, tree described directly or
 * with FSE-coded weights, or repeated from the previous block); sequences with predefined, RLE, FSE-described or
 * repeated tables and the three repeat offsets. Dictionaries are not supported (Blosc does not write them) and the optional content checksum is skipped, not verified. (The HDF5 zstd filter, id 32015, is one
 * frame per chunk; no Debian package writes it, so it is not wired in without a fixture.)
 *
 * <p>Every frame decodes into a slice of the caller's buffer that it may not leave: the output is bounded by
 * what the chunk declares, whatever the frame claims, and every table and offset read from the stream is checked
 * before it is used.
 */
final class Zstd {
    static final int MAGIC = 0xFD2FB528;

    private static final int[] LL_BASE = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28,
        32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536};
    private static final int[] LL_BITS = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6,
        7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    private static final int[] ML_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
        24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027,
        2051, 4099, 8195, 16387, 32771, 65539};
    private static final int[] ML_BITS = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    /** The predefined distributions (RFC 8878 3.1.1.3.2.2); -1 is "less than one". */
    private static final short[] LL_DEFAULT = {4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2,
        2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1};
    private static final short[] ML_DEFAULT = {1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1};
    private static final short[] OF_DEFAULT = {1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        -1, -1, -1, -1, -1};
    private static final int MAX_BLOCK = 128 << 10;

    private Zstd() {}

    /**
     * Decodes the frames in {@code in[ip, ip+length)} into {@code out[op, op+max)}; answers the bytes written.
     * Fails, naming {@code where}, on anything malformed or on output past {@code max}.
     */
    static int decompress(AddressSpace space, byte[] in, int ip, int length, byte[] out, int op, int max, long where) {
        try {
            return new Frame(space, in, ip, ip + length, out, op, op + max, where).decodeAll();
        } catch (ArrayIndexOutOfBoundsException e) {
            // every read is checked; this is the last line of defence, still a typed error naming the chunk
            throw Filters.bad(space, where, "zstd stream is truncated or corrupt");
        }
    }

    /** An FSE decoding table (RFC 8878 4.1): per state its symbol, bits to read and baseline of the next state. */
    private record Fse(int accuracyLog, byte[] symbol, byte[] bits, int[] base) {}

    /** A Huffman decoding table indexed by the next {@code maxBits} bits: symbol and code length. */
    private record Huffman(int maxBits, byte[] symbol, byte[] length) {}

    private static final class Frame {
        private final AddressSpace space;
        private final byte[] in;
        private int ip;
        private final int end;
        private final byte[] out;
        private int op;
        private final int start, limit;
        private final long where;
        private Huffman huffman;
        private Fse llTable, ofTable, mlTable;
        private final int[] rep = new int[3];
        private byte[] literals = new byte[0];

        Frame(AddressSpace space, byte[] in, int ip, int end, byte[] out, int op, int limit, long where) {
            this.space = space;
            this.in = in;
            this.ip = ip;
            this.end = end;
            this.out = out;
            this.op = op;
            this.start = op;
            this.limit = limit;
            this.where = where;
        }

        private RuntimeException bad(String what) { return Filters.bad(space, where, "zstd " + what); }

        private void need(int n) {
            if (n < 0 || end - ip < n) throw bad("stream is truncated");
        }

        private int u8() { need(1); return in[ip++] & 0xFF; }

        private long le(int n) {
            need(n);
            long v = 0;
            for (int i = 0; i < n; i++) v |= (in[ip + i] & 0xFFL) << (8 * i);
            ip += n;
            return v;
        }

        int decodeAll() {
            while (ip < end) {
                long magic = le(4);
                if ((magic & 0xFFFFFFF0L) == 0x184D2A50L) { // skippable frame
                    long size = le(4);
                    if (size > end - ip) throw bad("skippable frame is truncated");
                    ip += (int) size;
                    continue;
                }
                if ((int) magic != MAGIC) throw bad(String.format("frame magic 0x%08x is not 0x%08x", magic, MAGIC));
                frame();
            }
            return op - start;
        }

        private void frame() {
            int descriptor = u8();
            int fcsFlag = descriptor >>> 6;
            boolean singleSegment = (descriptor & 0x20) != 0;
            if ((descriptor & 0x08) != 0) throw bad("frame header sets its reserved bit");
            boolean checksum = (descriptor & 0x04) != 0;
            int dictionaryBytes = new int[] {0, 1, 2, 4}[descriptor & 3];
            if (!singleSegment) u8(); // window descriptor: the whole output is our window
            if (dictionaryBytes > 0 && le(dictionaryBytes) != 0) {
                throw Filters.unsupported(space, where, "zstd frames with a dictionary");
            }
            int fcsBytes = fcsFlag == 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
            long contentSize = fcsBytes == 0 ? -1 : le(fcsBytes) + (fcsBytes == 2 ? 256 : 0);
            if (contentSize > limit - op) throw bad("frame declares " + contentSize + " bytes where " + (limit - op) + " remain");
            int frameStart = op;
            rep[0] = 1;
            rep[1] = 4;
            rep[2] = 8;
            huffman = null;
            llTable = ofTable = mlTable = null;
            boolean last;
            do {
                int header = (int) le(3);
                last = (header & 1) != 0;
                int type = (header >>> 1) & 3;
                int size = header >>> 3;
                switch (type) {
                    case 0 -> {
                        need(size);
                        room(size);
                        System.arraycopy(in, ip, out, op, size);
                        ip += size;
                        op += size;
                    }
                    case 1 -> {
                        int b = u8();
                        room(size);
                        java.util.Arrays.fill(out, op, op + size, (byte) b);
                        op += size;
                    }
                    case 2 -> {
                        if (size > MAX_BLOCK) throw bad("block of " + size + " bytes is larger than 128 KiB");
                        need(size);
                        int blockEnd = ip + size;
                        compressedBlock(blockEnd, frameStart);
                        ip = blockEnd;
                    }
                    default -> throw bad("block type 3 is reserved");
                }
            } while (!last);
            if (contentSize >= 0 && op - frameStart != contentSize) {
                throw bad("frame decodes to " + (op - frameStart) + " bytes, not the " + contentSize + " it declares");
            }
            if (checksum) le(4);
        }

        private void room(long n) {
            if (n > limit - op) throw bad("output runs past the chunk's " + (limit - start) + " bytes");
        }

        // ---- literals section (RFC 8878 3.1.1.3.1)

        private void compressedBlock(int blockEnd, int frameStart) {
            int literalCount = literalsSection(blockEnd);
            sequencesSection(blockEnd, literalCount, frameStart);
        }

        private int literalsSection(int blockEnd) {
            int b0 = u8();
            int type = b0 & 3;
            int sizeFormat = (b0 >>> 2) & 3;
            if (type == 0 || type == 1) {
                int regenerated = switch (sizeFormat) {
                    case 0, 2 -> b0 >>> 3;
                    case 1 -> (b0 >>> 4) | u8() << 4;
                    default -> (b0 >>> 4) | u8() << 4 | u8() << 12;
                };
                if (regenerated > MAX_BLOCK) throw bad("literals of " + regenerated + " bytes exceed a block");
                ensureLiterals(regenerated);
                if (type == 0) {
                    if (regenerated > blockEnd - ip) throw bad("raw literals are truncated");
                    System.arraycopy(in, ip, literals, 0, regenerated);
                    ip += regenerated;
                } else {
                    if (ip >= blockEnd) throw bad("RLE literals are truncated");
                    java.util.Arrays.fill(literals, 0, regenerated, in[ip++]);
                }
                return regenerated;
            }
            int regenerated, compressed;
            boolean fourStreams = sizeFormat != 0;
            switch (sizeFormat) {
                case 0, 1 -> {
                    long h = b0 | (long) u8() << 8 | (long) u8() << 16;
                    regenerated = (int) ((h >>> 4) & 0x3FF);
                    compressed = (int) ((h >>> 14) & 0x3FF);
                }
                case 2 -> {
                    long h = b0 | (long) u8() << 8 | (long) u8() << 16 | (long) u8() << 24;
                    regenerated = (int) ((h >>> 4) & 0x3FFF);
                    compressed = (int) ((h >>> 18) & 0x3FFF);
                }
                default -> {
                    long h = b0 | (long) u8() << 8 | (long) u8() << 16 | (long) u8() << 24 | (long) u8() << 32;
                    regenerated = (int) ((h >>> 4) & 0x3FFFF);
                    compressed = (int) ((h >>> 22) & 0x3FFFF);
                }
            }
            if (regenerated > MAX_BLOCK) throw bad("literals of " + regenerated + " bytes exceed a block");
            if (compressed > blockEnd - ip) throw bad("compressed literals are truncated");
            int streamsEnd = ip + compressed;
            if (type == 2) {
                huffman = huffmanTable(streamsEnd);
            } else if (huffman == null) {
                throw bad("treeless literals with no earlier Huffman table");
            }
            ensureLiterals(regenerated);
            if (!fourStreams) {
                huffmanStream(ip, streamsEnd, 0, regenerated);
            } else {
                if (streamsEnd - ip < 6) throw bad("literal jump table is truncated");
                int s1 = (int) le(2), s2 = (int) le(2), s3 = (int) le(2);
                int per = (regenerated + 3) / 4;
                int a = ip, b = a + s1, c = b + s2, d = c + s3;
                if (d > streamsEnd || per * 3 > regenerated) throw bad("literal jump table points past its streams");
                huffmanStream(a, b, 0, per);
                huffmanStream(b, c, per, per);
                huffmanStream(c, d, 2 * per, per);
                huffmanStream(d, streamsEnd, 3 * per, regenerated - 3 * per);
            }
            ip = streamsEnd;
            return regenerated;
        }

        private void ensureLiterals(int n) {
            if (literals.length < n) literals = new byte[Math.max(n, Math.min(MAX_BLOCK, literals.length * 2))];
        }

        private Huffman huffmanTable(int limitIp) {
            int header = u8();
            int[] weights = new int[256];
            int count;
            if (header < 128) {
                if (header > limitIp - ip) throw bad("Huffman weights are truncated");
                count = fseWeights(ip, ip + header, weights);
                ip += header;
            } else {
                count = header - 127;
                int bytes = (count + 1) / 2;
                if (bytes > limitIp - ip) throw bad("Huffman weights are truncated");
                for (int i = 0; i < count; i++) {
                    int v = in[ip + i / 2] & 0xFF;
                    weights[i] = (i & 1) == 0 ? v >>> 4 : v & 15;
                }
                ip += bytes;
            }
            if (count >= 256) throw bad("Huffman tree of " + (count + 1) + " symbols has more than 256");
            long total = 0;
            for (int i = 0; i < count; i++) {
                if (weights[i] > 11) throw bad("Huffman weight " + weights[i] + " is more than 11");
                if (weights[i] > 0) total += 1L << (weights[i] - 1);
            }
            if (total == 0) throw bad("Huffman tree has no symbol");
            int maxBits = 64 - Long.numberOfLeadingZeros(total); // the next power of two above total
            if (maxBits > 11) throw bad("Huffman codes longer than 11 bits");
            long rest = (1L << maxBits) - total;
            if (Long.bitCount(rest) != 1) throw bad("Huffman weights do not complete a tree");
            weights[count] = Long.numberOfTrailingZeros(rest) + 1;
            count++;
            int size = 1 << maxBits;
            byte[] symbol = new byte[size], length = new byte[size];
            int pos = 0;
            for (int w = 1; w <= maxBits; w++) {
                for (int s = 0; s < count; s++) {
                    if (weights[s] != w) continue;
                    int span = 1 << (w - 1);
                    if (pos + span > size) throw bad("Huffman weights overflow the table");
                    java.util.Arrays.fill(symbol, pos, pos + span, (byte) s);
                    java.util.Arrays.fill(length, pos, pos + span, (byte) (maxBits + 1 - w));
                    pos += span;
                }
            }
            if (pos != size) throw bad("Huffman weights do not fill the table");
            return new Huffman(maxBits, symbol, length);
        }

        /** Huffman weights coded with FSE (two interleaved states, accuracy at most 6): answers how many. */
        private int fseWeights(int from, int to, int[] weights) {
            int saved = ip;
            ip = from;
            Fse table = fseTable(to, 255, 6);
            BackwardBits br = new BackwardBits(ip, to);
            ip = saved;
            int s1 = (int) br.read(table.accuracyLog), s2 = (int) br.read(table.accuracyLog);
            int n = 0;
            while (true) {
                if (n >= 255) throw bad("Huffman weights overflow 255 symbols");
                weights[n++] = table.symbol[s1] & 0xFF;
                s1 = table.base[s1] + (int) br.read(table.bits[s1]);
                if (br.overflowed()) { weights[n++] = table.symbol[s2] & 0xFF; break; }
                if (n >= 255) throw bad("Huffman weights overflow 255 symbols");
                weights[n++] = table.symbol[s2] & 0xFF;
                s2 = table.base[s2] + (int) br.read(table.bits[s2]);
                if (br.overflowed()) { weights[n++] = table.symbol[s1] & 0xFF; break; }
            }
            return n;
        }

        private void huffmanStream(int from, int to, int at, int count) {
            if (count == 0) return;
            if (from >= to) throw bad("Huffman stream is empty");
            BackwardBits br = new BackwardBits(from, to);
            Huffman h = huffman;
            for (int i = 0; i < count; i++) {
                int peek = (int) br.peek(h.maxBits);
                literals[at + i] = h.symbol[peek];
                br.skip(h.length[peek]);
                if (br.overflowed()) throw bad("Huffman stream is truncated");
            }
            if (!br.finished()) throw bad("Huffman stream has bits left over");
        }

        // ---- FSE table description (RFC 8878 4.1.1)

        private Fse fseTable(int limitIp, int maxSymbol, int maxLog) {
            if (ip >= limitIp) throw bad("FSE table description is truncated");
            long bitPos = (long) ip * 8;
            long bitEnd = (long) limitIp * 8;
            int log = (int) bitsAt(bitPos, 4, bitEnd) + 5;
            bitPos += 4;
            if (log > maxLog) throw bad("FSE accuracy log " + log + " is more than " + maxLog);
            int size = 1 << log;
            short[] norm = new short[maxSymbol + 1];
            int remaining = size + 1;
            int symbol = 0;
            while (remaining > 1 && symbol <= maxSymbol) {
                int bits = 32 - Integer.numberOfLeadingZeros(remaining);
                int max = (1 << bits) - 1 - remaining; // values below this take one bit less
                int low = (int) bitsAt(bitPos, bits - 1, bitEnd);
                int value;
                if (low < max) {
                    value = low;
                    bitPos += bits - 1;
                } else {
                    value = (int) bitsAt(bitPos, bits, bitEnd);
                    if (value >= (1 << (bits - 1))) value -= max;
                    bitPos += bits;
                }
                int probability = value - 1;
                norm[symbol++] = (short) probability;
                remaining -= probability < 0 ? -probability : probability;
                if (probability == 0) {
                    while (true) {
                        int repeat = (int) bitsAt(bitPos, 2, bitEnd);
                        bitPos += 2;
                        for (int r = 0; r < repeat; r++) {
                            if (symbol > maxSymbol) throw bad("FSE zero run passes the last symbol");
                            norm[symbol++] = 0;
                        }
                        if (repeat != 3) break;
                    }
                }
            }
            if (remaining != 1) throw bad("FSE probabilities do not sum to " + size);
            ip = (int) ((bitPos + 7) / 8);
            return build(norm, symbol, log);
        }

        /** Little-endian bits at a bit position (the forward bit order of the table description). */
        private long bitsAt(long bitPos, int n, long bitEnd) {
            if (bitPos + n > bitEnd) throw bad("FSE table description is truncated");
            long v = 0;
            for (int i = 0; i < n; i++) {
                long p = bitPos + i;
                v |= (long) ((in[(int) (p >>> 3)] >>> (p & 7)) & 1) << i;
            }
            return v;
        }

        private Fse build(short[] norm, int symbols, int log) {
            int size = 1 << log;
            byte[] symbol = new byte[size];
            int high = size - 1;
            int[] next = new int[symbols];
            for (int s = 0; s < symbols; s++) {
                if (norm[s] == -1) {
                    symbol[high--] = (byte) s;
                    next[s] = 1;
                } else {
                    next[s] = norm[s];
                }
            }
            int step = (size >>> 1) + (size >>> 3) + 3, mask = size - 1, pos = 0;
            for (int s = 0; s < symbols; s++) {
                for (int i = 0; i < norm[s]; i++) {
                    symbol[pos] = (byte) s;
                    do pos = (pos + step) & mask; while (pos > high);
                }
            }
            if (pos != 0) throw bad("FSE table does not spread evenly");
            byte[] bits = new byte[size];
            int[] base = new int[size];
            for (int state = 0; state < size; state++) {
                int s = symbol[state] & 0xFF;
                int x = next[s]++;
                int nb = log - (31 - Integer.numberOfLeadingZeros(x));
                bits[state] = (byte) nb;
                base[state] = (x << nb) - size;
            }
            return new Fse(log, symbol, bits, base);
        }

        private static final Fse[] PREDEFINED = new Fse[3];

        private Fse predefined(int kind) {
            Fse t = PREDEFINED[kind];
            if (t == null) {
                short[] norm = kind == 0 ? LL_DEFAULT : kind == 1 ? OF_DEFAULT : ML_DEFAULT;
                t = build(norm, norm.length, kind == 1 ? 5 : 6);
                PREDEFINED[kind] = t;
            }
            return t;
        }

        // ---- sequences section (RFC 8878 3.1.1.3.2)

        private void sequencesSection(int blockEnd, int literalCount, int frameStart) {
            if (ip >= blockEnd) throw bad("sequences section is missing");
            int b0 = in[ip++] & 0xFF;
            int count;
            if (b0 == 0) {
                count = 0;
            } else if (b0 < 128) {
                count = b0;
            } else if (b0 < 255) {
                if (ip >= blockEnd) throw bad("sequence count is truncated");
                count = ((b0 - 128) << 8) + (in[ip++] & 0xFF);
            } else {
                if (blockEnd - ip < 2) throw bad("sequence count is truncated");
                count = (in[ip] & 0xFF) + ((in[ip + 1] & 0xFF) << 8) + 0x7F00;
                ip += 2;
            }
            int litPos = 0;
            if (count > 0) {
                if (ip >= blockEnd) throw bad("sequence modes are truncated");
                int modes = in[ip++] & 0xFF;
                if ((modes & 3) != 0) throw bad("sequence modes set reserved bits");
                llTable = table(modes >>> 6, 0, llTable, blockEnd, 35, 9);
                ofTable = table((modes >>> 4) & 3, 1, ofTable, blockEnd, 31, 8);
                mlTable = table((modes >>> 2) & 3, 2, mlTable, blockEnd, 52, 9);
                BackwardBits br = new BackwardBits(ip, blockEnd);
                int ll = (int) br.read(llTable.accuracyLog);
                int of = (int) br.read(ofTable.accuracyLog);
                int ml = (int) br.read(mlTable.accuracyLog);
                for (int i = 0; i < count; i++) {
                    int ofCode = ofTable.symbol[of] & 0xFF, mlCode = mlTable.symbol[ml] & 0xFF, llCode = llTable.symbol[ll] & 0xFF;
                    if (ofCode > 31 || mlCode > 52 || llCode > 35) throw bad("sequence code out of range");
                    long offsetValue = (1L << ofCode) + br.read(ofCode);
                    int matchLength = ML_BASE[mlCode] + (int) br.read(ML_BITS[mlCode]);
                    int literalLength = LL_BASE[llCode] + (int) br.read(LL_BITS[llCode]);
                    long offset;
                    if (offsetValue > 3) {
                        offset = offsetValue - 3;
                        rep[2] = rep[1];
                        rep[1] = rep[0];
                        rep[0] = (int) Math.min(Integer.MAX_VALUE, offset);
                    } else {
                        int index = (int) offsetValue - (literalLength == 0 ? 0 : 1); // 0..3: rep[0..2] or rep[0]-1
                        if (index == 0) {
                            offset = rep[0];
                        } else {
                            offset = index == 3 ? rep[0] - 1L : rep[index];
                            if (index != 1) rep[2] = rep[1];
                            rep[1] = rep[0];
                            rep[0] = (int) offset;
                        }
                    }
                    if (i < count - 1) {
                        ll = llTable.base[ll] + (int) br.read(llTable.bits[ll]);
                        ml = mlTable.base[ml] + (int) br.read(mlTable.bits[ml]);
                        of = ofTable.base[of] + (int) br.read(ofTable.bits[of]);
                    }
                    if (br.overflowed()) throw bad("sequence bitstream is truncated");
                    if (literalLength > literalCount - litPos) throw bad("sequence takes more literals than the block has");
                    room((long) literalLength + matchLength);
                    System.arraycopy(literals, litPos, out, op, literalLength);
                    litPos += literalLength;
                    op += literalLength;
                    if (offset <= 0 || offset > op - frameStart) throw bad("match offset " + offset + " is before the frame");
                    int ref = (int) (op - offset);
                    for (int k = 0; k < matchLength; k++) out[op++] = out[ref++];
                }
                if (!br.finished()) throw bad("sequence bitstream has bits left over");
            } else if (ip != blockEnd) {
                throw bad("block has bytes after its literals");
            }
            int rest = literalCount - litPos;
            room(rest);
            System.arraycopy(literals, litPos, out, op, rest);
            op += rest;
        }

        private Fse table(int mode, int kind, Fse previous, int blockEnd, int maxSymbol, int maxLog) {
            return switch (mode) {
                case 0 -> predefined(kind);
                case 1 -> {
                    if (ip >= blockEnd) throw bad("RLE table is truncated");
                    int s = in[ip++] & 0xFF;
                    if (s > maxSymbol) throw bad("RLE symbol " + s + " is out of range");
                    yield new Fse(0, new byte[] {(byte) s}, new byte[] {0}, new int[] {0});
                }
                case 2 -> fseTable(blockEnd, maxSymbol, maxLog);
                default -> {
                    if (previous == null) throw bad("repeated table with no earlier table");
                    yield previous;
                }
            };
        }

        /**
         * A bitstream read backwards (RFC 8878 4.2): from the end, after the padding that ends at the highest set
         * bit of the last byte, each field from high bits to low. Reading past the start answers zeros and
         * {@link #overflowed} tells.
         */
        private final class BackwardBits {
            private final int from;
            private long bitsLeft; // bits not yet consumed, counted from the start of the stream

            BackwardBits(int from, int to) {
                if (to <= from) throw bad("bitstream is empty");
                int last = in[to - 1] & 0xFF;
                if (last == 0) throw bad("bitstream does not end with its padding bit");
                this.from = from;
                this.bitsLeft = (long) (to - 1 - from) * 8 + (31 - Integer.numberOfLeadingZeros(last));
            }

            long peek(int n) {
                long v = 0;
                for (int i = 0; i < n; i++) {
                    long p = bitsLeft - 1 - i;
                    int bit = p < 0 ? 0 : (in[from + (int) (p >>> 3)] >>> (p & 7)) & 1;
                    v = v << 1 | bit;
                }
                return v;
            }

            void skip(int n) { bitsLeft -= n; }

            long read(int n) {
                long v = peek(n);
                bitsLeft -= n;
                return v;
            }

            boolean overflowed() { return bitsLeft < 0; }

            boolean finished() { return bitsLeft == 0; }
        }
    }
}
