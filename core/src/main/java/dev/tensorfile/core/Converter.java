package dev.tensorfile.core;

import dev.tensorfile.core.spi.BlockCodec;
import dev.tensorfile.core.spi.FileRegion;
import dev.tensorfile.core.spi.FileRegionAccess;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Copies a {@link TensorFile} into any format, tensor by tensor, with a per-tensor plan: keep, cast, quantize or
 * skip. Memory stays bounded by one chunk, whatever the model's size.
 * <pre>{@code
 * try (TensorFile in = TensorFiles.open(Path.of("model.gguf"))) {
 *     Converter.Report r = Converter.from(in).dtype(DType.BF16).to(Path.of("model.safetensors"));
 *     r.skipped().forEach(s -> System.err.println("skipped " + s.name() + ": " + s.description()));
 * }
 * }</pre>
 *
 * <p>The rules (the CLI's {@code convert} follows them): a requested F32/F16/BF16 casts every floating tensor
 * (quantized sources dequantized first); a requested block type quantizes floating tensors of rank ≥ 2 whose row
 * length is a multiple of the block, and the others keep their type. Integer, bool and string tensors keep theirs.
 * A floating type the output format cannot hold becomes F32 (noted); anything else it cannot hold is skipped and
 * reported, or fails with {@link #strict(boolean)}.
 *
 * <p>The writer receives one {@link WriteRequest}: the destination, the options, this source (open) and the
 * requested dtype, so that a format can keep what only it understands of its own files (ONNX → ONNX keeps the
 * graph) and refuse what it cannot honour ({@code dtype} for ONNX → ONNX). The CLI's {@code convert} is this
 * class and nothing more.
 */
public final class Converter {
    /** Elements converted per chunk; a multiple of every block size. */
    private static final int CHUNK_ELEMENTS = 1 << 18;
    /** Bytes copied per chunk when a tensor is kept as it is. */
    private static final long COPY_CHUNK = 64L << 20;
    /**
     * Below this a tensor is copied through the mapping. Above it one kernel copy (a syscall on the mapping's own
     * channel) is cheaper than the page faults of touching the view: Linux maps file pages 64 KiB per fault.
     */
    private static final long TRANSFER_MIN = 64L << 10;

    /** What a conversion did. */
    public record Report(List<UnsupportedEntry> skipped, List<String> notes, int tensorsWritten, long bytesWritten) {}

    /** Progress of a conversion; called on the converting thread. */
    public interface Listener {
        /** Data of tensor {@code index} (0-based) of {@code count} is being written. */
        default void tensor(int index, int count, TensorInfo target) {}
        /** {@code done} of {@code total} output data bytes are written. */
        default void progress(long done, long total) {}
    }

    private final TensorFile source;
    private TensorFormat format;
    private DType dtype;
    private WriteOptions options = WriteOptions.NONE;
    private boolean strict;
    private Listener listener = new Listener() {};

    private Converter(TensorFile source) { this.source = source; }

    /** A conversion of {@code source}. */
    public static Converter from(TensorFile source) { return new Converter(Objects.requireNonNull(source)); }

    /** The output format; by default, the one the destination's file name suggests. */
    public Converter format(TensorFormat outputFormat) {
        this.format = outputFormat;
        return this;
    }

    /** The requested dtype for floating tensors, or null to keep every type. */
    public Converter dtype(DType requested) {
        if (requested != null && !requested.isFloating()) {
            throw new IllegalArgumentException("--dtype takes a floating or block-quantized type, not " + requested);
        }
        this.dtype = requested;
        return this;
    }

    /** Writer options (see {@link WriteOptions}). */
    public Converter options(WriteOptions writeOptions) {
        this.options = Objects.requireNonNull(writeOptions);
        return this;
    }

    /** If true, a tensor the output cannot hold is an error instead of a skip. */
    public Converter strict(boolean failOnSkip) {
        this.strict = failOnSkip;
        return this;
    }

    /** Receives progress. */
    public Converter listener(Listener progress) {
        this.listener = Objects.requireNonNull(progress);
        return this;
    }

    private enum Action { KEEP, CAST }

    private record Step(Tensor source, TensorInfo target, Action action) {}

    /**
     * Runs the conversion into {@code destination}, atomically.
     *
     * @throws TensorFileException if the output format cannot be written, or reading or writing fails
     */
    public Report to(Path destination) {
        TensorFormat out = format != null ? format : TensorFiles.formatForName(destination).orElseThrow(
                () -> new TensorFileException(null, destination, "cannot tell the output format from the file name; name it"));
        if (!out.canWrite()) throw new UnsupportedFeatureException(out.name(), destination, "writing " + out.name() + " files is not supported");
        List<UnsupportedEntry> skipped = new ArrayList<>(source.unsupported());
        List<String> notes = new ArrayList<>();
        Map<String, Step> steps = new HashMap<>();
        List<TensorInfo> declared = new ArrayList<>();
        Map<String, String> aliases = source.aliases();
        for (Tensor t : source.tensors()) {
            String first = aliases.get(t.name());
            if (first != null) {
                notes.add(t.name() + ": the same data as " + first + " (tied), written once as " + first);
                continue;
            }
            Step step = plan(t, out, notes);
            if (step == null) {
                String why = out.name() + " cannot hold " + t.dtype() + " tensors";
                if (strict) throw new UnsupportedFeatureException(out.name(), destination, "tensor '" + t.name() + "': " + why);
                skipped.add(new UnsupportedEntry(t.name(), why));
                continue;
            }
            if (steps.putIfAbsent(step.target().name(), step) != null) {
                throw new TensorFileException(source.format(), source.path(), "tensor name '" + t.name() + "' occurs twice");
            }
            declared.add(step.target());
        }
        TensorWriter writer = out.newWriter(WriteRequest.conversion(destination, options, source, dtype));
        long written = 0;
        int count = 0;
        try {
            List<TensorInfo> order = writer.declare(source.metadata(), declared);
            long total = 0;
            for (TensorInfo t : order) total += t.byteLength();
            for (TensorInfo t : order) {
                Step step = steps.get(t.name());
                listener.tensor(count, order.size(), t);
                try (TensorSink sink = writer.open(t.name())) {
                    written = step.action() == Action.KEEP ? copy(step.source(), sink, written, total)
                            : cast(step.source(), t.dtype(), sink, written, total);
                }
                count++;
            }
            notes.addAll(writer.notes());
            writer.close();
        } catch (RuntimeException | Error e) {
            writer.abort();
            throw e;
        }
        return new Report(List.copyOf(skipped), List.copyOf(notes), count, written);
    }

    private Step plan(Tensor t, TensorFormat out, List<String> notes) {
        DType src = t.dtype();
        DType target = src;
        if (dtype != null && src.isFloating()) {
            if (!dtype.isQuantized()) {
                target = dtype;
            } else if (canQuantize(t, dtype)) {
                target = dtype;
            }
        }
        if (!out.canStore(target)) {
            if (target.isFloating() && out.canStore(DType.F32) && readableAsFloat(src)) {
                notes.add(t.name() + ": " + out.name() + " cannot hold " + target + "; written as F32");
                target = DType.F32;
            } else {
                return null;
            }
        }
        if (target == src) return new Step(t, t.info(), Action.KEEP);
        if (!readableAsFloat(src)) return null;
        return new Step(t, TensorInfo.of(t.name(), target, t.shape()), Action.CAST);
    }

    private static boolean readableAsFloat(DType type) {
        return type.isQuantized() ? BlockCodecs.has(type) : ElementConversion.canWiden(type);
    }

    private static boolean canQuantize(Tensor t, DType target) {
        Shape s = t.shape();
        if (s.rank() < 2 || s.dim(s.rank() - 1) % target.blockElements() != 0) return false;
        if (!BlockCodecs.has(target) || !BlockCodecs.forType(target).canEncode()) return false;
        return readableAsFloat(t.dtype());
    }

    private long copy(Tensor src, TensorSink sink, long written, long total) {
        long length = src.info().byteLength();
        FileRegion region = length >= TRANSFER_MIN && src instanceof FileRegionAccess a ? a.fileRegion().orElse(null) : null;
        if (region != null && region.length() == length) {
            // Bytes lying in a mapped file as they are: let the kernel copy them (no page faults, no user-space
            // copy) if the writer can; a writer that declines does so on the first chunk, before anything is written.
            for (long at = 0; at < length; ) {
                long n = Math.min(COPY_CHUNK, length - at);
                if (!sink.transferFrom(region.mapping(), region.offset() + at, n)) {
                    if (at == 0) break;
                    throw new IllegalStateException("the writer stopped taking kernel copies mid-tensor");
                }
                listener.progress(written += n, total);
                at += n;
                if (at == length) return written;
            }
        }
        if (src.isView()) {
            MemorySegment data = src.bytes();
            for (long at = 0; at < length; at += COPY_CHUNK) {
                long n = Math.min(COPY_CHUNK, length - at);
                sink.write(data.asSlice(at, n));
                listener.progress(written += n, total);
            }
            return written;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, Math.min(length, 4L << 20)));
            for (long at = 0; at < length; at += buf.byteSize()) {
                MemorySegment part = buf.asSlice(0, Math.min(buf.byteSize(), length - at));
                src.readBytes(at, part);
                sink.write(part);
                listener.progress(written += part.byteSize(), total);
            }
        }
        return written;
    }

    private long cast(Tensor src, DType target, TensorSink sink, long written, long total) {
        long n = src.elementCount();
        BlockCodec codec = target.isQuantized() ? BlockCodecs.forType(target) : null;
        int chunk = (int) Math.min(CHUNK_ELEMENTS, Math.max(n, 1));
        int block = Math.max(target.blockElements(), src.dtype().blockElements());
        if (chunk % block != 0) chunk = Math.max(block, chunk - chunk % block);
        float[] floats = new float[chunk];
        // F64 to a half-width float: read as floats rounded to odd, so that the second rounding is the only one
        // that counts (ElementConversion.f64ToFloatRoundedToOdd).
        boolean roundToOdd = src.dtype() == DType.F64 && (target == DType.F16 || target == DType.BF16);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Math.max(1, target.byteSize(chunk)), 8);
            MemorySegment doubles = roundToOdd ? arena.allocate(8L * chunk, 8) : null;
            for (long at = 0; at < n; at += chunk) {
                int m = (int) Math.min(chunk, n - at);
                if (roundToOdd) {
                    src.readBytes(8 * at, doubles.asSlice(0, 8L * m));
                    ElementConversion.f64ToFloatRoundedToOdd(doubles, 0, floats, 0, m);
                } else {
                    src.readFloats(at, floats, 0, m);
                }
                long bytes = target.byteSize(m);
                if (codec != null) codec.encode(floats, 0, out, 0, m / target.blockElements());
                else ElementConversion.fromFloat(target, floats, 0, out, 0, m);
                sink.write(out.asSlice(0, bytes));
                listener.progress(written += bytes, total);
            }
        }
        return written;
    }
}
