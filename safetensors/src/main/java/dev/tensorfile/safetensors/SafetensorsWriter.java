package dev.tensorfile.safetensors;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataStrings;
import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.spi.AbstractTensorWriter;
import dev.tensorfile.core.spi.AtomicFileOutput;
import dev.tensorfile.core.spi.AtomicFileSet;
import dev.tensorfile.core.spi.MappedFile;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes safetensors the way the reference crate's {@code serialize_to_file} does: the whole header first (tensors
 * sorted by dtype alignment, descending — the crate's {@code Dtype} order —, then by name as UTF-8 bytes; the JSON
 * padded with spaces to a multiple of 8, so each tensor starts at a multiple of its element size), then each
 * tensor's bytes streamed straight to a temporary file beside the destination, moved into place on commit.
 *
 * <p>With {@code max-shard-size}, tensors in that same order are packed greedily into shards of at most that many
 * data bytes (a larger tensor gets a shard of its own); if more than one shard results, they are written as
 * {@code STEM-0000i-of-0000N.safetensors} beside the destination, plus {@code STEM.safetensors.index.json} in
 * transformers' layout, where STEM is the destination's name without {@code .safetensors} (or without
 * {@code .safetensors.index.json}, when the destination names the index; then the index is always written).
 * Every shard carries the metadata. The shards and the index are one {@link AtomicFileSet}: they replace the old
 * files all together or not at all.
 */
final class SafetensorsWriter extends AbstractTensorWriter {
    /** WriteOptions key: the largest data bytes per shard. */
    static final String MAX_SHARD_SIZE = "max-shard-size";

    private final long maxShardSize;
    private final boolean indexNamed;
    private final List<Shard> shards = new ArrayList<>();
    private int shardOf = 0;
    private int fed = 0;
    private Path indexPath;
    private long totalSize;
    private final AtomicFileSet files;

    /** One output file: its tensors (feed order) and its header bytes. */
    private static final class Shard {
        final Path path;
        final List<TensorInfo> tensors = new ArrayList<>();
        byte[] header;
        AtomicFileOutput out;

        Shard(Path path) { this.path = path; }
    }

    SafetensorsWriter(Path destination, long maxShardSize) {
        super(destination, SafetensorsHeader.FORMAT);
        this.maxShardSize = maxShardSize;
        this.indexNamed = destination.getFileName().toString().endsWith(SafetensorsIndex.SUFFIX);
        this.files = AtomicFileSet.create(SafetensorsHeader.FORMAT);
    }

    @Override
    protected List<TensorInfo> plan(Metadata metadata, List<TensorInfo> tensors) {
        for (TensorInfo t : tensors) {
            if (!SafetensorsDType.supports(t.dtype())) {
                throw new UnsupportedFeatureException(format, destination, "tensor '" + t.name() + "': safetensors cannot hold "
                        + t.dtype() + "; it holds " + SafetensorsDType.ORDER);
            }
            if (t.name().equals(SafetensorsHeader.METADATA_KEY)) {
                throw new TensorFileException(format, destination, "a tensor cannot be named __metadata__: the key is reserved");
            }
            if (!StandardCharsets.UTF_8.newEncoder().canEncode(t.name())) {
                throw new TensorFileException(format, destination, "tensor name '" + t.name() + "' is not valid Unicode");
            }
        }
        List<TensorInfo> order = new ArrayList<>(tensors);
        Map<String, byte[]> utf8 = new java.util.HashMap<>();
        for (TensorInfo t : tensors) utf8.put(t.name(), t.name().getBytes(StandardCharsets.UTF_8));
        // tensor.rs prepare(): right.dtype().cmp(&left.dtype()).then(lname.cmp(rname)); Rust compares str as bytes.
        order.sort(Comparator.<TensorInfo>comparingInt(t -> -SafetensorsDType.rank(t.dtype()))
                .thenComparing((a, b) -> Arrays.compareUnsigned(utf8.get(a.name()), utf8.get(b.name()))));

        List<List<TensorInfo>> groups = new ArrayList<>();
        List<TensorInfo> group = new ArrayList<>();
        long groupBytes = 0;
        for (TensorInfo t : order) {
            totalSize += t.byteLength();
            if (!group.isEmpty() && (groupBytes + t.byteLength() > maxShardSize || t.byteLength() > maxShardSize)) {
                groups.add(group);
                group = new ArrayList<>();
                groupBytes = 0;
            }
            group.add(t);
            groupBytes += t.byteLength();
        }
        groups.add(group);

        Map<String, String> strings = MetadataStrings.encode(metadata);
        if (groups.size() == 1 && !indexNamed) {
            shards.add(new Shard(destination));
        } else {
            String name = destination.getFileName().toString();
            String stem = indexNamed ? name.substring(0, name.length() - SafetensorsIndex.SUFFIX.length())
                    : name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length())
                    : name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
            int width = Math.max(5, Integer.toString(groups.size()).length());
            for (int i = 0; i < groups.size(); i++) {
                String shard = String.format("%s-%0" + width + "d-of-%0" + width + "d.safetensors", stem, i + 1, groups.size());
                shards.add(new Shard(destination.resolveSibling(shard)));
            }
            indexPath = indexNamed ? destination : destination.resolveSibling(stem + SafetensorsIndex.SUFFIX);
        }
        for (int i = 0; i < shards.size(); i++) {
            Shard s = shards.get(i);
            s.tensors.addAll(groups.get(i));
            s.header = headerBytes(strings, s.tensors, s.path);
        }
        return order;
    }

    /** {@code u64 N} + the JSON padded with spaces to a multiple of 8 (tensor.rs prepare()). */
    private byte[] headerBytes(Map<String, String> metadata, List<TensorInfo> tensors, Path path) {
        long[] offsets = new long[tensors.size()];
        long at = 0;
        for (int i = 0; i < tensors.size(); i++) {
            offsets[i] = at;
            at += tensors.get(i).byteLength();
        }
        String json = HeaderJson.header(metadata, tensors, offsets);
        // A UTF-8 length bound before encoding: never build a header array past the crate's limit.
        if ((long) json.length() > SafetensorsHeader.MAX_HEADER_SIZE) throw tooLarge(path, json.length());
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        int n = (text.length + 7) & ~7;
        if (n > SafetensorsHeader.MAX_HEADER_SIZE) throw tooLarge(path, n);
        byte[] header = new byte[8 + n];
        ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
        System.arraycopy(text, 0, header, 8, text.length);
        Arrays.fill(header, 8 + text.length, header.length, (byte) ' ');
        return header;
    }

    private TensorFileException tooLarge(Path path, long n) {
        return new TensorFileException(format, path, "the header would take at least " + n
                + " bytes, more than the 100000000 safetensors readers accept (HeaderTooLarge); shard the output");
    }

    /** The output of shard {@code index}, started (header written) on first use. */
    private AtomicFileOutput output(int index) {
        Shard s = shards.get(index);
        if (s.out == null) {
            s.out = files.add(s.path);
            s.out.write(s.header);
        }
        return s.out;
    }

    @Override
    protected void writeData(TensorInfo tensor, MemorySegment chunk) {
        output(shardOf).write(chunk);
    }

    @Override
    protected boolean transferData(TensorInfo tensor, MappedFile file, long offset, long length) {
        return output(shardOf).transferFrom(file, offset, length); // bytes are stored as they come
    }

    @Override
    protected void endTensor(TensorInfo tensor) {
        output(shardOf);
        fed++;
        int before = 0;
        for (int i = 0; i <= shardOf; i++) before += shards.get(i).tensors.size();
        if (fed == before && shardOf + 1 < shards.size()) shardOf++;
    }

    @Override
    protected void commit() {
        for (int i = 0; i < shards.size(); i++) output(i);
        if (indexPath != null) {
            Map<String, String> weightMap = new LinkedHashMap<>();
            for (Shard s : shards) for (TensorInfo t : s.tensors) weightMap.put(t.name(), s.path.getFileName().toString());
            files.add(indexPath).write(SafetensorsIndex.write(totalSize, weightMap).getBytes(StandardCharsets.UTF_8));
        }
        files.commit();
    }

    @Override
    protected void discard() {
        files.discard();
    }
}
