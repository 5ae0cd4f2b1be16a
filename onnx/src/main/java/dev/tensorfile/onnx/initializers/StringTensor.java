package dev.tensorfile.onnx.initializers;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.WireReader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A STRING tensor, UTF-8: a TensorProto's string_data entries, or a Constant's {@code value_string(s)}
 * (AttributeProto {@code s}, {@code strings}). Each occurrence of the field is one element.
 */
public final class StringTensor extends DecodedInitializer {
    private final Strings strings;

    /**
     * @param message the message holding the field, and the file offset of its first byte
     * @param structure how errors name the message
     */
    StringTensor(TensorInfo info, MappedFile owner, MemorySegment message, long offset, String structure,
            int field, Path file, ReadLimits limits) {
        this(info, owner, limits, new Strings(message, offset, structure, field, file, limits));
    }

    private StringTensor(TensorInfo info, MappedFile owner, ReadLimits limits, Strings strings) {
        super(info, owner, limits, strings);
        this.strings = strings;
    }

    /** Where the entries lie: every occurrence of {@code field} in {@code message}. */
    private record Strings(MemorySegment message, long offset, String structure, int field, Path file, ReadLimits limits)
            implements Decoder {
        @Override
        public MemorySegment source() { return message; }

        @Override
        public void decode(MemorySegment out) {
            long[] o = {0};
            each(s -> {
                MemorySegment.copy(s, 0, out, o[0], s.byteSize());
                o[0] += s.byteSize();
            });
        }

        void each(java.util.function.Consumer<MemorySegment> f) {
            ByteCursor c = new ByteCursor(message, offset, InitializerTensors.FORMAT, file).structure(structure);
            WireReader r = new WireReader(c, 0, limits.maxNestingDepth());
            while (r.next()) {
                if (r.field() == field) f.accept(r.bytes(field == TensorProto.STRING_DATA ? "string_data" : "strings"));
                else r.skip();
            }
        }
    }

    @Override
    public List<String> strings() {
        ensureOpen();
        requireSource();
        List<String> out = new ArrayList<>();
        strings.each(s -> out.add(new String(s.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8)));
        // a rank-0 tensor has one element: value_string's s absent is protobuf's default, ""
        if (out.isEmpty() && info().shape().rank() == 0) out.add("");
        return out;
    }
}
