package dev.tensorfile.gguf.quant;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structural checks of the transcribed codebooks: sizes, value sets, ggml's ascending order (every entry's packed
 * code must exceed the previous one, which a dropped, doubled or mistyped hex digit almost always breaks), and rows
 * quoted from the C tables of ggml-common.h (ggml-org/llama.cpp 01243c5), a source independent of the gguf-py hex
 * the grids were transcribed from.
 */
class IqGridsTest {

    @Test
    void gridSizes() {
        assertEquals(256 * 8, IqGrids.IQ2XXS.length);
        assertEquals(512 * 8, IqGrids.IQ2XS.length);
        assertEquals(1024 * 8, IqGrids.IQ2S.length);
        assertEquals(256 * 4, IqGrids.IQ3XXS.length);
        assertEquals(512 * 4, IqGrids.IQ3S.length);
        assertEquals(2048 * 8, IqGrids.IQ1S.length);
    }

    @Test
    void entriesAscendInGgmlOrder() {
        assertAscending(IqGrids.IQ2XXS, 8, new int[] {0x08, 0x19, 0x2b}, 2);
        assertAscending(IqGrids.IQ2XS, 8, new int[] {0x08, 0x19, 0x2b}, 2);
        assertAscending(IqGrids.IQ2S, 8, new int[] {0x08, 0x19, 0x2b}, 2);
        assertAscending(IqGrids.IQ3XXS, 4, new int[] {0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3e}, 4);
        assertAscending(IqGrids.IQ3S, 4, new int[] {0x01, 0x03, 0x05, 0x07, 0x09, 0x0b, 0x0d, 0x0f}, 4);
        assertAscending(IqGrids.IQ1S, 8, new int[] {-1, 0, 1}, 2);
    }

    /** Re-packs each entry's values into its map indices (low bits first) and checks strict increase. */
    private static void assertAscending(byte[] grid, int perEntry, int[] map, int bitsPerIndex) {
        long previous = -1;
        for (int e = 0; e < grid.length / perEntry; e++) {
            long code = 0;
            for (int k = 0; k < perEntry; k++) {
                int v = grid[e * perEntry + k];
                int idx = -1;
                for (int m = 0; m < map.length; m++) if ((byte) map[m] == v) idx = m;
                assertTrue(idx >= 0, "entry " + e + " has value " + v + " outside the codebook");
                code |= (long) idx << (bitsPerIndex * k);
            }
            assertTrue(code > previous, "entry " + e + " is not above entry " + (e - 1));
            previous = code;
        }
    }

    @Test
    void rowsQuotedFromGgmlCommonH() {
        assertArrayEquals(le64(0x0808080808080808L), row(IqGrids.IQ2XXS, 0, 8));
        assertArrayEquals(le64(0x2b2b082b08080808L), row(IqGrids.IQ2XXS, 252, 8));
        assertArrayEquals(le64(0x2b2b190808192b08L), row(IqGrids.IQ2XXS, 253, 8));
        assertArrayEquals(le64(0x2b2b2b0819190808L), row(IqGrids.IQ2XXS, 254, 8));
        assertArrayEquals(le64(0x2b2b2b1908081908L), row(IqGrids.IQ2XXS, 255, 8));
        long[] iq2xsHead = {0x0808080808080808L, 0x080808080808082bL, 0x0808080808081919L, 0x0808080808082b08L,
            0x0808080808082b2bL, 0x0808080808190819L, 0x0808080808191908L, 0x080808080819192bL};
        for (int i = 0; i < iq2xsHead.length; i++) assertArrayEquals(le64(iq2xsHead[i]), row(IqGrids.IQ2XS, i, 8), "iq2xs " + i);
        long[] iq2xsTail = {0x2b2b2b2b082b2b08L, 0x2b2b2b2b082b2b2bL, 0x2b2b2b2b2b190819L, 0x2b2b2b2b2b2b2b2bL};
        for (int i = 0; i < 4; i++) assertArrayEquals(le64(iq2xsTail[i]), row(IqGrids.IQ2XS, 508 + i, 8), "iq2xs " + (508 + i));
        long[] iq2s20 = {0x0808080819192b08L, 0x08080808192b0819L, 0x08080808192b1908L, 0x08080808192b192bL,
            0x08080808192b2b19L, 0x080808082b080808L};
        for (int i = 0; i < iq2s20.length; i++) assertArrayEquals(le64(iq2s20[i]), row(IqGrids.IQ2S, 20 + i, 8), "iq2s " + (20 + i));
        int[] iq3xxsHead = {0x04040404, 0x04040414, 0x04040424, 0x04040c0c, 0x04040c1c, 0x04040c3e, 0x04041404,
            0x04041414, 0x04041c0c, 0x04042414, 0x04043e1c, 0x04043e2c, 0x040c040c, 0x040c041c, 0x040c0c04,
            0x040c0c14, 0x040c140c, 0x040c142c, 0x040c1c04, 0x040c1c14, 0x040c240c, 0x040c2c24, 0x040c3e04,
            0x04140404};
        for (int i = 0; i < iq3xxsHead.length; i++) assertArrayEquals(le32(iq3xxsHead[i]), row(IqGrids.IQ3XXS, i, 4), "iq3xxs " + i);
        int[] iq3sHead = {0x01010101, 0x01010103, 0x01010105, 0x0101010b, 0x0101010f, 0x01010301, 0x01010303,
            0x01010305, 0x01010309, 0x0101030d, 0x01010501, 0x01010503, 0x0101050b, 0x01010707, 0x01010901,
            0x01010905, 0x0101090b, 0x0101090f};
        for (int i = 0; i < iq3sHead.length; i++) assertArrayEquals(le32(iq3sHead[i]), row(IqGrids.IQ3S, i, 4), "iq3s " + i);
    }

    @Test
    void ksignsHaveEvenParity() {
        // ggml-common.h ksigns_iq2xs starts 0, 129, 130, 3, 132 and ends 252, 125, 126, 255.
        assertArrayEquals(new byte[] {0, (byte) 129, (byte) 130, 3, (byte) 132}, Arrays.copyOf(IqGrids.KSIGNS_IQ2XS, 5));
        assertArrayEquals(new byte[] {(byte) 252, 125, 126, (byte) 255}, Arrays.copyOfRange(IqGrids.KSIGNS_IQ2XS, 124, 128));
        for (int i = 0; i < 128; i++) {
            assertEquals(0, Integer.bitCount(IqGrids.KSIGNS_IQ2XS[i] & 0xFF) % 2, "ksigns " + i);
            assertEquals(i, IqGrids.KSIGNS_IQ2XS[i] & 0x7F);
        }
    }

    private static byte[] row(byte[] grid, int entry, int perEntry) {
        return Arrays.copyOfRange(grid, entry * perEntry, (entry + 1) * perEntry);
    }

    private static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    private static byte[] le32(int v) {
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }
}
