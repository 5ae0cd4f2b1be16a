package dev.tensorfile.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A file's metadata: an ordered, immutable map from key to typed value. GGUF key/values keep their exact types;
 * safetensors {@code __metadata__} and ONNX {@code metadata_props} are strings; HDF5 attributes are keyed
 * {@code name} at the root and {@code <object path>@<name>} elsewhere.
 */
public final class Metadata {
    private static final Metadata EMPTY = new Metadata(Map.of());

    private final Map<String, MetadataValue> entries;

    private Metadata(Map<String, MetadataValue> entries) {
        this.entries = entries;
    }

    /** No entries. */
    public static Metadata empty() { return EMPTY; }

    /** A copy of {@code entries}, keeping their iteration order. */
    public static Metadata of(Map<String, ? extends MetadataValue> entries) {
        return entries.isEmpty() ? EMPTY : new Metadata(Collections.unmodifiableMap(new LinkedHashMap<>(entries)));
    }

    /** A builder that keeps insertion order. */
    public static Builder builder() { return new Builder(); }

    /** The entries in file order. */
    public Map<String, MetadataValue> asMap() { return entries; }

    /** The keys in file order. */
    public Set<String> keys() { return entries.keySet(); }

    /** Number of entries. */
    public int size() { return entries.size(); }

    /** True when there are no entries. */
    public boolean isEmpty() { return entries.isEmpty(); }

    /** The value of {@code key}, if present. */
    public Optional<MetadataValue> get(String key) { return Optional.ofNullable(entries.get(key)); }

    /** The value of {@code key} if it is a string. */
    public Optional<String> getString(String key) {
        return entries.get(key) instanceof MetadataValue.Str s ? Optional.of(s.value()) : Optional.empty();
    }

    /** The value of {@code key} if it is an integer of any width (U64 as its bits). */
    public Optional<Long> getLong(String key) {
        return entries.get(key) instanceof MetadataValue.Int i ? Optional.of(i.value()) : Optional.empty();
    }

    @Override public boolean equals(Object o) { return o instanceof Metadata m && entries.equals(m.entries); }
    @Override public int hashCode() { return entries.hashCode(); }
    @Override public String toString() { return entries.toString(); }

    /** Collects entries in insertion order; a repeated key replaces the earlier value. */
    public static final class Builder {
        private final LinkedHashMap<String, MetadataValue> entries = new LinkedHashMap<>();

        private Builder() {}

        /** Adds or replaces {@code key}. */
        public Builder put(String key, MetadataValue value) {
            entries.put(key, value);
            return this;
        }

        /** Adds or replaces {@code key} with a string value. */
        public Builder put(String key, String value) { return put(key, new MetadataValue.Str(value)); }

        /** Adds every entry of {@code other}. */
        public Builder putAll(Metadata other) {
            entries.putAll(other.entries);
            return this;
        }

        /** True if {@code key} was added. */
        public boolean contains(String key) { return entries.containsKey(key); }

        /** The metadata collected so far. */
        public Metadata build() { return of(entries); }
    }
}
