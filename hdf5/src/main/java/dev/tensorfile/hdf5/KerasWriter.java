package dev.tensorfile.hdf5;

import dev.tensorfile.core.Metadata;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.WriteOptions;
import dev.tensorfile.core.spi.AtomicFileOutput;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a Keras 3 archive ({@code .keras}) as Keras's saver lays it out (keras {@code saving_lib.save_model}): a
 * zip with {@code metadata.json}, {@code config.json} and a stored {@code model.weights.h5}, here streamed straight
 * into the archive. The JSON members come back from the metadata strings {@code keras.metadata} and
 * {@code keras.config} that the reader made of them; without them the archive holds the weights alone.
 */
final class KerasWriter extends Hdf5Writer {
    static final String WEIGHTS = "model.weights.h5", CONFIG = "config.json", METADATA = "metadata.json";
    static final String CONFIG_KEY = "keras.config", METADATA_KEY = "keras.metadata";

    private String config;
    private String kerasMetadata;
    private StoredZip zip;

    KerasWriter(Path destination, WriteOptions options) {
        super(destination, options, "keras", TARGET_CHUNK);
        String n = destination.getFileName() == null ? "" : destination.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".weights.json")) {
            throw new UnsupportedFeatureException("keras", destination,
                    "writing sharded Keras weights (.weights.json) is not supported; write a .keras archive or a .weights.h5 file");
        }
    }

    @Override
    Metadata containerMetadata(Metadata metadata) {
        Metadata.Builder rest = Metadata.builder();
        for (Map.Entry<String, MetadataValue> e : metadata.asMap().entrySet()) {
            switch (e.getKey()) {
                case CONFIG_KEY -> config = text(e.getKey(), e.getValue());
                case METADATA_KEY -> kerasMetadata = text(e.getKey(), e.getValue());
                case "keras.shards.metadata" -> { } // described the source's shards, not this archive
                default -> rest.put(e.getKey(), e.getValue());
            }
        }
        if (config == null) {
            notes.add("no '" + CONFIG_KEY + "' metadata: the archive holds no " + CONFIG + ", so keras.saving.load_model cannot rebuild the model from it");
        }
        return rest.build();
    }

    private String text(String key, MetadataValue v) {
        if (v instanceof MetadataValue.Str s) return s.value();
        notes.add("metadata '" + key + "' is not a string; not written");
        return null;
    }

    @Override
    void beginContainer(AtomicFileOutput out) {
        zip = new StoredZip(out);
        if (kerasMetadata != null) zip.add(METADATA, kerasMetadata.getBytes(StandardCharsets.UTF_8));
        if (config != null) zip.add(CONFIG, config.getBytes(StandardCharsets.UTF_8));
        zip.begin(WEIGHTS);
    }

    @Override
    boolean needsCrc() { return true; }

    @Override
    void endContainer(AtomicFileOutput out, long start, long length, int crc32) {
        zip.end(length, crc32);
        zip.finish();
    }
}
