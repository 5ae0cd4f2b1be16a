package dev.tensorfile.gguf;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFormat;
import dev.tensorfile.core.TensorWriter;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.MappedFile;
import dev.tensorfile.core.spi.RemoteFile;
import dev.tensorfile.core.spi.ShardedTensorFile;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GGUF, llama.cpp's model format: reads versions 1 to 3, little- and big-endian, and split sets; writes version 3
 * with ggml's layout, optionally split the way {@code llama-gguf-split} does.
 * <pre>{@code
 * try (TensorFile f = TensorFiles.open(Path.of("model-Q4_K_M.gguf"))) {
 *     f.metadata().getString("general.architecture").ifPresent(System.out::println);
 *     Tensor t = f.tensor("token_embd.weight");   // shape row-major: [n_vocab, n_embd]
 * }
 * }</pre>
 *
 * <p>Opening reads the header only; metadata arrays of more than 64 elements (a 150,000-token vocabulary) are
 * indexed and decoded element by element when read, and, like the tensors, are views of the mapping that are
 * valid until the file is closed. Opening {@code name-00001-of-0000N.gguf} opens the whole split set as one file,
 * with the first shard's metadata ({@code split.*} keys included); opening another shard opens that shard alone.
 *
 * <p>Writer options ({@link WriteOptions}): {@code max-shard-size} (bytes of tensor data per shard) and
 * {@code max-shard-tensors} (tensors per shard) split the output as {@code name-00001-of-0000N.gguf}, ...
 */
public final class GgufFormat implements TensorFormat {
    static final String NAME = "gguf";
    /** {@code <prefix>-%05d-of-%05d.gguf} (llama.cpp {@code llama_split_path}); wider numbers are accepted. */
    private static final Pattern SHARD = Pattern.compile("(.*)-(\\d{5,})-of-(\\d{5,})\\.gguf",
            Pattern.CASE_INSENSITIVE);

    /** For {@link java.util.ServiceLoader}. */
    public GgufFormat() {}

    /** {@code gguf}. */
    @Override
    public String name() { return NAME; }

    /** {@code .gguf}. */
    @Override
    public List<String> extensions() { return List.of(".gguf"); }

    /**
     * The magic "GGUF" (or its byte-reversed form), and the magics of GGUF's predecessors GGML, GGMF and GGJT
     * (recognised so that opening them says what they are); otherwise the {@code .gguf} extension.
     */
    @Override
    public Recognition recognize(Path path, MemorySegment content) {
        int magic = GgufHeader.magicOf(content);
        if (magic == GgufHeader.MAGIC || magic == GgufHeader.MAGIC_REVERSED || GgufHeader.Legacy.of(magic) != null) {
            return Recognition.CONTENT;
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".gguf") ? Recognition.NAME : Recognition.NO;
    }

    /**
     * Opens a GGUF file, or the whole split set when {@code path} is its first shard.
     *
     * @throws dev.tensorfile.core.TensorFileException if a file is malformed, a legacy GGML/GGMF/GGJT file, or
     *     a split set is incomplete or inconsistent
     */
    @Override
    public TensorFile open(Path path, ReadLimits limits) {
        GgufFile first = GgufFile.open(path, limits);
        try {
            TensorFile set = openSplit(first, limits, name -> {
                Path sibling = path.resolveSibling(name);
                if (!java.nio.file.Files.exists(sibling)) return null;
                return GgufFile.open(sibling, limits);
            });
            return set != null ? set : first;
        } catch (RuntimeException | Error e) {
            first.close();
            throw e;
        }
    }

    /**
     * Opens a remote GGUF file, or split set, reading each header from a prefix that grows until it holds the header
     * ({@link GgufFile#open(MappedFile, ReadLimits)}); tensor data is fetched when read.
     */
    @Override
    public TensorFile open(RemoteFile file, ReadLimits limits) {
        GgufFile first = GgufFile.open(MappedFile.remote(file), limits);
        try {
            TensorFile set = openSplit(first, limits, name -> GgufFile.open(MappedFile.remote(file.sibling(name)), limits));
            return set != null ? set : first;
        } catch (RuntimeException | Error e) {
            first.close();
            throw e;
        }
    }

    /**
     * The split set {@code first} begins, or null when it is a single file (or not the first shard); {@code sibling}
     * opens another shard by file name, or gives null if there is none.
     */
    private static TensorFile openSplit(GgufFile first, ReadLimits limits, Function<String, GgufFile> sibling) {
        Path path = first.path();
        Matcher m = SHARD.matcher(path.getFileName().toString());
        if (!m.matches()) return null;
        long no = Long.parseLong(m.group(2));
        long count = Long.parseLong(m.group(3));
        Metadata md = first.metadata();
        // llama.cpp treats a first shard without split.count as a whole model; so do we.
        if (no != 1 || md.get(GgufWriter.SPLIT_COUNT).isEmpty()) return null;
        long declared = md.getLong(GgufWriter.SPLIT_COUNT).orElse(-1L);
        if (declared != count) {
            throw new MalformedFileException(NAME, path, "key/value '" + GgufWriter.SPLIT_COUNT + "'", -1,
                    "split.count is " + declared + " but the file name says " + count + " shards");
        }
        if (count == 1) return null;
        checkShardNumber(first, 0, count);
        List<TensorFile> shards = new ArrayList<>();
        shards.add(first);
        List<Tensor> tensors = new ArrayList<>(first.tensors());
        Set<String> names = new HashSet<>();
        for (Tensor t : first.tensors()) names.add(t.name());
        try {
            for (int i = 2; i <= count; i++) {
                String digits = String.format("%0" + m.group(2).length() + "d", i);
                String siblingName = m.group(1) + "-" + digits + "-of-" + m.group(3) + ".gguf";
                GgufFile shard = sibling.apply(siblingName);
                if (shard == null) {
                    throw new MalformedFileException(NAME, path, "split set", -1, "shard " + i + " of " + count
                            + " (" + siblingName + ") is missing");
                }
                shards.add(shard);
                Path siblingPath = shard.path();
                checkShardNumber(shard, i - 1, count);
                for (Tensor t : shard.tensors()) {
                    if (!names.add(t.name())) {
                        throw new MalformedFileException(NAME, siblingPath, "split set", -1, "tensor '" + t.name()
                                + "' is also in an earlier shard");
                    }
                    tensors.add(t);
                }
            }
            var total = md.getLong(GgufWriter.SPLIT_TENSORS_COUNT);
            if (total.isPresent() && total.get() != tensors.size()) {
                throw new MalformedFileException(NAME, path, "key/value '" + GgufWriter.SPLIT_TENSORS_COUNT + "'", -1,
                        "split.tensors.count is " + total.get() + " but the " + count + " shards hold "
                                + tensors.size() + " tensors");
            }
        } catch (RuntimeException | Error e) {
            for (int i = 1; i < shards.size(); i++) shards.get(i).close();
            throw e;
        }
        return new ShardedTensorFile(path, NAME, md, shards, tensors);
    }

    private static void checkShardNumber(GgufFile shard, long index, long count) {
        Metadata md = shard.metadata();
        long no = md.getLong(GgufWriter.SPLIT_NO).orElse(-1L);
        long c = md.getLong(GgufWriter.SPLIT_COUNT).orElse(-1L);
        if (no != index || c != count) {
            throw new MalformedFileException(NAME, shard.path(), "key/value '" + GgufWriter.SPLIT_NO + "'", -1,
                    "split.no " + no + " of split.count " + c + " where shard " + index + " of " + count
                            + " was expected");
        }
    }

    /** True: GGUF v3 is written. */
    @Override
    public boolean canWrite() { return true; }

    /** F32, F16, BF16, F64, I8, I16, I32, I64 and every ggml block type. */
    @Override
    public boolean canStore(DType type) { return GgmlType.id(type) >= 0; }

    /** A streaming GGUF v3 writer; see the class comment for the options. */
    @Override
    public TensorWriter newWriter(Path destination, WriteOptions options) {
        return new GgufWriter(destination, options);
    }
}
