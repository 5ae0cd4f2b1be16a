package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.WireReader;

import java.util.Arrays;

/**
 * One {@code SparseTensorProto}: {@code values} (rank 1, [NNZ]; its name names the sparse tensor), {@code indices}
 * (INT64, [NNZ] linearised or [NNZ, rank]) and the dense {@code dims}.
 */
public record SparseTensorProto(TensorProto values, TensorProto indices, long[] dims, long offset) {
    public static SparseTensorProto parse(WireReader r, ReadLimits limits) {
        long offset = r.cursor().absolutePosition();
        String where = r.cursor().structure();
        TensorProto values = null;
        TensorProto indices = null;
        long[] dims = new long[0];
        while (r.next()) {
            switch (r.field()) {
                case 1 -> values = TensorProto.parse(r.message("values", where + " values"), limits);
                case 2 -> indices = TensorProto.parse(r.message("indices", where + " indices"), limits);
                case 3 -> {
                    if (r.wireType() == WireReader.LEN) {
                        var packed = r.bytes("dims");
                        long n = WireReader.countVarints(packed);
                        if (dims.length + n > 64) throw r.failField("sparse tensor of more than 64 dimensions");
                        long[] grown = Arrays.copyOf(dims, (int) (dims.length + n));
                        int count = PackedVarints.decodeLongs(packed, grown, dims.length, r.cursor(),
                                r.cursor().absolutePosition() - packed.byteSize(), "dims");
                        dims = Arrays.copyOf(grown, count);
                    } else {
                        long d = r.int64("dims");
                        if (dims.length >= 64) throw r.failField("sparse tensor of more than 64 dimensions");
                        dims = Arrays.copyOf(dims, dims.length + 1);
                        dims[dims.length - 1] = d;
                    }
                }
                default -> r.skip();
            }
        }
        if (values == null || indices == null) {
            throw r.cursor().failAt(0, "sparse tensor without " + (values == null ? "values" : "indices"));
        }
        return new SparseTensorProto(values, indices, dims, offset);
    }
}
