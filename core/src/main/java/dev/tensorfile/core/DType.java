package dev.tensorfile.core;

/**
 * Every element type of every supported format, under one name.
 *
 * <p>Scalar names follow safetensors ({@code F32}, {@code BF16}, {@code F8_E4M3}, {@code U16}, ...);
 * block-quantized names follow GGML ({@code Q4_K}, {@code IQ4_XS}, {@code MXFP4}, ...). Every type is described
 * as a block: {@link #blockElements()} elements stored in {@link #blockBytes()} bytes. For byte-sized and larger
 * scalars the block is one element; sub-byte scalars ({@code F4}, {@code I4}, {@code F6_E2M3}, ...) pack several
 * elements per block, low bits first; GGML types have their ggml block sizes ({@code Q4_K}: 256 elements in 144
 * bytes). {@link #STRING} has no fixed size: its byte length is whatever the format stores.
 */
public enum DType {
    // ---- floating point ----
    /** IEEE 754 binary64. */
    F64(Kind.FLOAT, 1, 8),
    /** IEEE 754 binary32. */
    F32(Kind.FLOAT, 1, 4),
    /** IEEE 754 binary16. */
    F16(Kind.FLOAT, 1, 2),
    /** bfloat16: the upper half of a binary32. */
    BF16(Kind.FLOAT, 1, 2),
    /** OCP FP8 E4M3FN (bias 7, no infinities, S.1111.111 is NaN); torch {@code float8_e4m3fn}. */
    F8_E4M3(Kind.FLOAT, 1, 1),
    /** OCP FP8 E5M2 (the top byte of a binary16); torch {@code float8_e5m2}. */
    F8_E5M2(Kind.FLOAT, 1, 1),
    /** FP8 E4M3FNUZ (bias 8, no negative zero: 0x80 is the only NaN); torch {@code float8_e4m3fnuz}. */
    F8_E4M3FNUZ(Kind.FLOAT, 1, 1),
    /** FP8 E5M2FNUZ (bias 16, 0x80 is the only NaN); torch {@code float8_e5m2fnuz}. */
    F8_E5M2FNUZ(Kind.FLOAT, 1, 1),
    /** OCP MX scale E8M0: 2^(e-127), 0xFF is NaN; torch {@code float8_e8m0fnu}. */
    F8_E8M0(Kind.FLOAT, 1, 1),
    /** OCP MX FP6 E2M3, four elements in three bytes. */
    F6_E2M3(Kind.FLOAT, 4, 3),
    /** OCP MX FP6 E3M2, four elements in three bytes. */
    F6_E3M2(Kind.FLOAT, 4, 3),
    /** OCP MX FP4 E2M1, two elements per byte, the first in the low nibble (safetensors {@code F4}, ONNX FLOAT4E2M1). */
    F4(Kind.FLOAT, 2, 1),
    // ---- complex ----
    /** Complex of two binary32 (real, imaginary). */
    C64(Kind.COMPLEX, 1, 8),
    /** Complex of two binary64 (real, imaginary). */
    C128(Kind.COMPLEX, 1, 16),
    // ---- integers ----
    I64(Kind.SIGNED, 1, 8),
    I32(Kind.SIGNED, 1, 4),
    I16(Kind.SIGNED, 1, 2),
    I8(Kind.SIGNED, 1, 1),
    /** Signed 4-bit, two per byte, first element in the low nibble (ONNX INT4). */
    I4(Kind.SIGNED, 2, 1),
    /** Signed 2-bit, four per byte, first element in the lowest bits (ONNX INT2). */
    I2(Kind.SIGNED, 4, 1),
    U64(Kind.UNSIGNED, 1, 8),
    U32(Kind.UNSIGNED, 1, 4),
    U16(Kind.UNSIGNED, 1, 2),
    U8(Kind.UNSIGNED, 1, 1),
    /** Unsigned 4-bit, two per byte, first element in the low nibble (ONNX UINT4). */
    U4(Kind.UNSIGNED, 2, 1),
    /** Unsigned 2-bit, four per byte, first element in the lowest bits (ONNX UINT2). */
    U2(Kind.UNSIGNED, 4, 1),
    /** One byte per element, 0 is false and anything else true. */
    BOOL(Kind.BOOL, 1, 1),
    /** Variable-length strings (ONNX {@code string_data}, HDF5 string datasets). */
    STRING(Kind.STRING, 1, 0),
    // ---- GGML block quantization (ggml-common.h) ----
    Q4_0(Kind.QUANTIZED, 32, 18),
    Q4_1(Kind.QUANTIZED, 32, 20),
    Q5_0(Kind.QUANTIZED, 32, 22),
    Q5_1(Kind.QUANTIZED, 32, 24),
    Q8_0(Kind.QUANTIZED, 32, 34),
    Q8_1(Kind.QUANTIZED, 32, 36),
    Q2_K(Kind.QUANTIZED, 256, 84),
    Q3_K(Kind.QUANTIZED, 256, 110),
    Q4_K(Kind.QUANTIZED, 256, 144),
    Q5_K(Kind.QUANTIZED, 256, 176),
    Q6_K(Kind.QUANTIZED, 256, 210),
    Q8_K(Kind.QUANTIZED, 256, 292),
    IQ2_XXS(Kind.QUANTIZED, 256, 66),
    IQ2_XS(Kind.QUANTIZED, 256, 74),
    IQ3_XXS(Kind.QUANTIZED, 256, 98),
    IQ1_S(Kind.QUANTIZED, 256, 50),
    IQ4_NL(Kind.QUANTIZED, 32, 18),
    IQ3_S(Kind.QUANTIZED, 256, 110),
    IQ2_S(Kind.QUANTIZED, 256, 82),
    IQ4_XS(Kind.QUANTIZED, 256, 136),
    IQ1_M(Kind.QUANTIZED, 256, 56),
    TQ1_0(Kind.QUANTIZED, 256, 54),
    TQ2_0(Kind.QUANTIZED, 256, 66),
    MXFP4(Kind.QUANTIZED, 32, 17),
    NVFP4(Kind.QUANTIZED, 64, 36),
    Q1_0(Kind.QUANTIZED, 128, 18),
    Q2_0(Kind.QUANTIZED, 64, 18);

    /** What family a type belongs to. */
    public enum Kind { FLOAT, COMPLEX, SIGNED, UNSIGNED, BOOL, STRING, QUANTIZED }

    private final Kind kind;
    private final int blockElements;
    private final int blockBytes;

    DType(Kind kind, int blockElements, int blockBytes) {
        this.kind = kind;
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    /** The family of this type. */
    public Kind kind() { return kind; }

    /** Elements in one block: 1 for byte-sized and larger scalars. */
    public int blockElements() { return blockElements; }

    /** Bytes in one block; 0 for {@link #STRING}. */
    public int blockBytes() { return blockBytes; }

    /** Bits per element, exact for scalars ({@code F4}: 4, {@code F6_E2M3}: 6), fractional for GGML blocks. */
    public double bitsPerElement() { return 8.0 * blockBytes / blockElements; }

    /** True for real-valued floating types and GGML block types: what {@code --dtype} casts apply to. */
    public boolean isFloating() { return kind == Kind.FLOAT || kind == Kind.QUANTIZED; }

    /** True for GGML block-quantized types. */
    public boolean isQuantized() { return kind == Kind.QUANTIZED; }

    /** True for signed and unsigned integers. */
    public boolean isInteger() { return kind == Kind.SIGNED || kind == Kind.UNSIGNED; }

    /** True where one element takes a whole number of bytes (every scalar except the sub-byte ones, not STRING). */
    public boolean isByteAligned() { return blockElements == 1 && blockBytes > 0; }

    /**
     * Bytes that {@code elements} elements of this type take.
     *
     * @throws ArithmeticException if the count overflows a long, or is not a whole number of blocks (or bytes,
     *     for sub-byte types)
     * @throws UnsupportedOperationException for {@link #STRING}
     */
    public long byteSize(long elements) {
        if (this == STRING) throw new UnsupportedOperationException("STRING has no fixed element size");
        if (elements < 0) throw new ArithmeticException("negative element count " + elements);
        if (elements % blockElements != 0) {
            throw new ArithmeticException(elements + " elements of " + this + " are not a whole number of "
                    + (kind == Kind.QUANTIZED ? blockElements + "-element blocks" : "bytes"));
        }
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }

    /** Finds a type by its name, or returns null. */
    public static DType byName(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
