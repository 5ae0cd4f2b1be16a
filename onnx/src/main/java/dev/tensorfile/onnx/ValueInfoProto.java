package dev.tensorfile.onnx;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.WireReader;
import dev.tensorfile.onnx.initializers.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * A graph input or output ({@code ValueInfoProto}): its name and a description of its {@code TypeProto}, with
 * tensor shapes as {@code dim_value} numbers or {@code dim_param} names ({@code ?} when a dim has neither).
 *
 * @param name the value's name
 * @param type {@code FLOAT[batch, 4]}, {@code sequence}, {@code map}, ... as people read it
 */
record ValueInfoProto(String name, String type) {
    static ValueInfoProto parse(WireReader r, ReadLimits limits) {
        String name = "";
        String type = "?";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.string("name", limits.maxStringBytes());
                case 2 -> type = typeProto(r.message("type", r.cursor().structure()), limits);
                default -> r.skip();
            }
        }
        return new ValueInfoProto(name, type);
    }

    /** TypeProto: oneof tensor_type 1, sequence_type 4, map_type 5, opaque_type 7, sparse_tensor_type 8, optional_type 9. */
    static String typeProto(WireReader r, ReadLimits limits) {
        String type = "?";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> type = tensorType(r.message("tensor_type", r.cursor().structure()), limits, "");
                case 8 -> type = tensorType(r.message("sparse_tensor_type", r.cursor().structure()), limits, "sparse ");
                case 4 -> { type = "sequence"; r.skip(); }
                case 5 -> { type = "map"; r.skip(); }
                case 7 -> { type = "opaque"; r.skip(); }
                case 9 -> { type = "optional"; r.skip(); }
                default -> r.skip();
            }
        }
        return type;
    }

    private static String tensorType(WireReader r, ReadLimits limits, String prefix) {
        long elem = 0;
        List<String> dims = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> elem = r.int32("elem_type");
                case 2 -> dims = shape(r.message("shape", r.cursor().structure()), limits);
                default -> r.skip();
            }
        }
        DataType t = DataType.of(elem);
        String name = t == null ? "type " + elem : t.name();
        return prefix + name + (dims == null ? "" : dims.toString());
    }

    private static List<String> shape(WireReader r, ReadLimits limits) {
        List<String> dims = new ArrayList<>();
        while (r.next()) {
            if (r.field() != 1) {
                r.skip();
                continue;
            }
            if (dims.size() >= 64) throw r.failField("shape of more than 64 dimensions");
            WireReader d = r.message("dim", r.cursor().structure());
            String dim = "?";
            while (d.next()) {
                switch (d.field()) {
                    case 1 -> dim = Long.toString(d.int64("dim_value"));
                    case 2 -> dim = d.string("dim_param", limits.maxStringBytes());
                    default -> d.skip();
                }
            }
            dims.add(dim);
        }
        return dims;
    }
}
