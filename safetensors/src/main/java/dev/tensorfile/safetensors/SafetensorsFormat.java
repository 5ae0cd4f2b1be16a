package dev.tensorfile.safetensors;

import dev.tensorfile.core.spi.LittleEndian;
import dev.tensorfile.core.DType;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a UTF-8 JSON header, then the
 * tensors' bytes. Found by {@link dev.tensorfile.core.TensorFiles} through {@link java.util.ServiceLoader}.
 *
 * <p>Reading maps the file and parses the header only; tensors are zero-copy views. The header is validated as
 * strictly as the reference crate validates it (plus: duplicate JSON keys are rejected). A
 * {@code model.safetensors.index.json} opens the whole sharded set as one file; a single shard opens alone.
 * <pre>{@code
 * try (TensorFile f = TensorFiles.open(Path.of("model.safetensors"))) {
 *     Tensor w = f.tensor("lm_head.weight");
 *     MemorySegment bytes = w.bytes();   // a view of the mapping
 * }
 * }</pre>
 *
 * <p>Writing streams: declare the tensors, feed each one's bytes in the order {@code declare} returns, close to
 * commit. Writer option {@code max-shard-size} (bytes, e.g. {@code 5GB}) splits the output into shards plus an
 * index; see {@code docs/safetensors.md} for the naming rule.
 */
public final class SafetensorsFormat implements TensorFormat {
    /** Creates the format; ServiceLoader calls this. */
    public SafetensorsFormat() {}

    @Override public String name() { return SafetensorsHeader.FORMAT; }

    @Override public List<String> extensions() { return List.of(".safetensors"); }

    /**
     * {@code CONTENT} when the first 8 bytes are a header length that fits the file and the limit and the header,
     * after optional JSON whitespace, starts with <code>{</code>; also for a {@code *.safetensors.index.json} whose
     * content starts with <code>{</code>. {@code NAME} for other files named {@code *.safetensors}.
     */
    @Override
    public Recognition recognize(Path path, MemorySegment content) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        long size = content.byteSize();
        if (name.endsWith(SafetensorsIndex.SUFFIX)) {
            return firstNonSpace(content, 0, size) == '{' ? Recognition.CONTENT : Recognition.NAME;
        }
        if (size >= 8) {
            long n = content.get(LittleEndian.LONG, 0);
            if (n > 0 && n <= SafetensorsHeader.MAX_HEADER_SIZE && n <= size - 8
                    && firstNonSpace(content, 8, 8 + n) == '{') {
                return Recognition.CONTENT;
            }
        }
        return name.endsWith(".safetensors") ? Recognition.NAME : Recognition.NO;
    }

    /** The first byte in {@code [from, to)} that is not JSON whitespace, or -1. */
    private static int firstNonSpace(MemorySegment s, long from, long to) {
        for (long i = from; i < to; i++) {
            int b = s.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return b;
        }
        return -1;
    }

    /**
     * Opens a safetensors file, or a whole sharded set through its {@code *.safetensors.index.json}.
     *
     * @throws TensorFileException if the file (or the index, or a shard) is malformed
     */
    @Override
    public TensorFile open(Path path, ReadLimits limits) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(SafetensorsIndex.SUFFIX)) return SafetensorsIndex.open(path, limits);
        return SafetensorsFile.open(path, limits);
    }

    /** Reads only the header (one request if it fits in the first, two otherwise); tensor data when read. */
    @Override
    public TensorFile open(RemoteFile file, ReadLimits limits) {
        String name = file.path().getFileName() == null ? "" : file.path().getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(SafetensorsIndex.SUFFIX)) return SafetensorsIndex.open(file, limits);
        return SafetensorsFile.open(MappedFile.remote(file), limits);
    }

    @Override public boolean canWrite() { return true; }

    /** Every dtype of the reference crate: BOOL, F4, F6_*, U8–U64, I8–I64, F8_*, F16, BF16, F32, F64, C64. */
    @Override public boolean canStore(DType type) { return SafetensorsDType.supports(type); }

    /**
     * A streaming writer to {@code destination}. Option {@code max-shard-size} (a byte size) shards the output.
     *
     * @throws TensorFileException if an option is not valid
     */
    @Override
    public TensorWriter newWriter(Path destination, WriteOptions options) {
        long max;
        try {
            max = options.byteSize(SafetensorsWriter.MAX_SHARD_SIZE, Long.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            throw new TensorFileException(name(), destination, "option max-shard-size: " + e.getMessage());
        }
        return new SafetensorsWriter(destination, max);
    }

    @Override public String toString() { return name(); }
}
