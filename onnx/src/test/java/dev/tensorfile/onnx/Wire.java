package dev.tensorfile.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Protobuf wire bytes built by hand (protobuf.dev encoding guide), for tests of what onnx's tools never write. */
final class Wire {
    private Wire() {}

    static byte[] varint(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    static byte[] key(int field, int wire) { return varint((long) field << 3 | wire); }

    static byte[] vi(int field, long v) { return cat(key(field, 0), varint(v)); }

    static byte[] ld(int field, byte[]... parts) {
        byte[] body = cat(parts);
        return cat(key(field, 2), varint(body.length), body);
    }

    static byte[] str(int field, String s) { return ld(field, s.getBytes(StandardCharsets.UTF_8)); }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** A TensorProto: dims, data_type, name, then {@code body} (the data fields). */
    static byte[] tensor(String name, int dataType, long[] dims, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long d : dims) out.writeBytes(vi(1, d));
        out.writeBytes(vi(2, dataType));
        out.writeBytes(str(8, name));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** A ModelProto (IR 8, opset 13) whose graph holds {@code graphFields}. */
    static byte[] model(byte[]... graphFields) {
        return cat(vi(1, 8), ld(7, cat(str(2, "g"), cat(graphFields))), ld(8, str(1, ""), vi(2, 13)));
    }

    /** A graph field holding one initializer. */
    static byte[] initializer(byte[] tensor) { return ld(5, tensor); }

    static byte[] f32(float... values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }
}
