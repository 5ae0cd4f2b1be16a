package dev.tensorfile.hdf5;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorFiles;
import dev.tensorfile.core.UnsupportedEntry;
import dev.tensorfile.testframework.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the manifests cannot show: which datasets are zero-copy views, that a range read decodes only the chunks it
 * touches, that whole reads in parallel give the same bytes, how links and refused filters are reported, and the
 * Keras conventions (bfloat16 as opaque + dtype attribute, chunked name lists, the archive read in place).
 * Expected values are h5py's (manifests) or the values make_fixtures.py wrote.
 */
class Hdf5ReaderTest {
    private static final Fixtures FIXTURES = Fixtures.resources("hdf5");

    private static final Path LATEST = FIXTURES.file("shared").resolve("dv-latest.hdf5");

    @Test
    void contiguousLittleEndianDatasetsAreViewsOfTheMapping() {
        try (TensorFile f = TensorFiles.open(LATEST)) {
            assertTrue(f.tensor("layouts/contiguous").isView());
            assertTrue(f.tensor("layouts/compact").isView());
            assertFalse(f.tensor("layouts/chunked").isView());
            assertFalse(f.tensor("numeric/float32_be").isView(), "big-endian data is decoded");
        }
    }

    @Test
    void keras3ArchiveWeightsAreReadInPlace() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/model.keras"))) {
            assertEquals("keras", f.format());
            assertTrue(f.tensor("layers/dense/vars/0").isView(), "model.weights.h5 is a stored member: no extraction");
            assertTrue(f.details().stream().anyMatch(l -> l.contains("model.weights.h5") && l.contains("stored")), f.details().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"keras3.weights.h5", "model.keras"})
    void keras3Bfloat16VariableReadsAsBF16(String file) {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/" + file))) {
            Tensor t = f.tensor("layers/dense_1/vars/0");
            assertEquals(DType.BF16, t.dtype());
            float[] got = new float[6];
            t.readFloats(0, got, 0, 6);
            // the float32 values make_fixtures.py truncated to bfloat16 (all exactly representable)
            assertArrayEquals(new float[] {1.0f, -2.0f, 0.5f, 3.140625f, 0.0f, -0.0f}, got);
        }
    }

    @Test
    void keras2ChunkedLayerNamesAreJoined() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/keras2-weights.h5"))) {
            MetadataValue v = f.metadata().get("layer_names").orElseThrow();
            assertEquals(List.of("dense", "dropout"), ((MetadataValue.Array) v).values().stream()
                    .map(x -> ((MetadataValue.Str) x).value()).toList());
        }
    }

    @Test
    void shardedKerasWeightsAreOneFile() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/sharded.weights.json"))) {
            assertEquals(List.of("layers/dense/vars/0", "layers/dense/vars/1"), f.tensors().stream().map(Tensor::name).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"earliest", "latest"})
    void linksAreResolvedListedAndNeverLooped(String libver) {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/groups-" + libver + ".h5"))) {
            String d = String.join("\n", f.details());
            assertTrue(d.contains("user block of 512 bytes"), d);
            assertTrue(d.contains("cycle -> hard link to / (already listed)"), d);
            assertTrue(d.contains("same_x -> hard link to /a/x (already listed)"), d);
            assertTrue(d.contains("soft_to_x -> soft link to /a/x"), d);
            assertTrue(d.contains("dangling -> soft link to /nowhere (dangling)"), d);
            UnsupportedEntry ext = f.unsupported().stream().filter(u -> u.name().equals("a/external")).findFirst().orElseThrow();
            assertTrue(ext.description().contains("other.h5:/data") && ext.description().contains("not followed"), ext.description());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"earliest", "latest"})
    void refusedFiltersAreNamedAndCostOnlyTheirDataset(String libver) {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/refused-" + libver + ".h5"))) {
            assertEquals(List.of("plain"), f.tensors().stream().map(Tensor::name).toList());
            assertTrue(reason(f, "scaleoffset").contains("filter 6 (scaleoffset)"), reason(f, "scaleoffset"));
            assertTrue(reason(f, "nbit").contains("filter 5 (nbit)"), reason(f, "nbit"));
            assertTrue(reason(f, "bzip2").contains("filter 307 (HDF5 bzip2 filter"), reason(f, "bzip2"));
            // printed after the file's path by the CLI ("tensorfile: PATH: skipped nbit: ..."): never the path again
            for (UnsupportedEntry u : f.unsupported()) {
                assertFalse(u.description().contains(f.path().toString()) || u.description().startsWith("hdf5:"), u.description());
            }
        }
    }

    private static String reason(TensorFile f, String name) {
        return f.unsupported().stream().filter(u -> u.name().equals(name)).findFirst().orElseThrow().description();
    }

    @Test
    void everyChunkIndexIsTheOneLibhdf5Chose() {
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/layouts-latest.h5"))) {
            String d = String.join("\n", f.details());
            for (String s : List.of("single_chunk  32-bit float [20, 9]  chunked [20, 9] (single chunk index)",
                    "implicit  32-bit float [20, 9]  chunked [5, 3] (implicit index)",
                    "fixed_array_paged  signed 16-bit integer [1100]  chunked [1] (fixed array index)",
                    "extensible  signed 32-bit integer [600]  chunked [2] (extensible array index)",
                    "btree2_gzip  32-bit float [20, 9]  chunked [4, 4] (v2 B-tree index) filters [1 (deflate) level 4]")) {
                assertTrue(d.contains(s), s + " not in\n" + d);
            }
        }
        try (TensorFile f = TensorFiles.open(FIXTURES.file("gen/layouts-earliest.h5"))) {
            assertTrue(String.join("\n", f.details()).contains("extensible  signed 32-bit integer [600]  chunked [2] (v1 B-tree index)"));
        }
    }

    @Test
    void wholeReadsInParallelEqualSequentialOnes() {
        Path file = FIXTURES.file("gen/layouts-latest.h5");
        for (String name : List.of("fixed_array_paged", "extensible", "btree2_gzip")) {
            byte[] one, many;
            try (TensorFile f = new Hdf5Format().open(file, ReadLimits.DEFAULT.withDecodeThreads(1))) {
                one = f.tensor(name).bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            }
            try (TensorFile f = new Hdf5Format().open(file, ReadLimits.DEFAULT.withDecodeThreads(4))) {
                many = f.tensor(name).bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            }
            assertArrayEquals(one, many, name);
        }
    }

    /**
     * dv-latest's manifest gives the chunk addresses of /layouts/chunked_gzip (chunks of 7x5 over 20x9): breaking
     * the first chunk's deflate stream fails reads that touch it, naming its offset, and not reads of rows 14-19.
     */
    @Test
    void rangeReadsDecodeOnlyTheChunksTheyTouch(@TempDir Path dir) throws IOException {
        byte[] file = Fixtures.bytes(LATEST);
        byte[] good;
        try (TensorFile f = TensorFiles.open(LATEST)) {
            good = f.tensor("layouts/chunked_gzip").bytes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
        long first = FIXTURES.manifest(LATEST).get("tensors").get(2).get("chunk_index").get(0).get("address").asLong();
        assertEquals(14127, first);
        for (int i = 2; i < 40; i++) file[(int) first + i] ^= 0x5a;
        Path broken = dir.resolve("broken.hdf5");
        Files.write(broken, file);
        try (TensorFile f = TensorFiles.open(broken); Arena arena = Arena.ofConfined()) {
            Tensor t = f.tensor("layouts/chunked_gzip");
            long rowBytes = 9 * 4;
            MemorySegment tail = arena.allocate(6 * rowBytes);
            t.readBytes(14 * rowBytes, tail);
            assertEquals(-1, tail.mismatch(MemorySegment.ofArray(good).asSlice(14 * rowBytes, 6 * rowBytes)));
            MalformedFileException e = assertThrows(MalformedFileException.class, () -> t.readBytes(0, arena.allocate(rowBytes)));
            assertTrue(e.getMessage().contains("14127"), e.getMessage());
        }
    }

    /** readFloats of decoded float32 data (straight into the array) gives h5py's first values and any sub-range. */
    @ParameterizedTest
    @ValueSource(strings = {"chunked", "btree2_gzip", "chunked_be", "implicit"})
    void decodedFloat32ReadsMatchH5py(String name) {
        Path file = FIXTURES.file("gen/layouts-latest.h5");
        com.fasterxml.jackson.databind.JsonNode want = null;
        for (com.fasterxml.jackson.databind.JsonNode t : FIXTURES.manifest(file).get("tensors")) {
            if (t.get("name").asText().equals(name)) want = t.get("head");
        }
        try (TensorFile f = TensorFiles.open(file)) {
            Tensor t = f.tensor(name);
            float[] head = new float[want.size()];
            t.readFloats(0, head, 0, head.length);
            for (int i = 0; i < head.length; i++) assertEquals((float) want.get(i).asDouble(), head[i], name + "[" + i + "]");
            float[] all = new float[(int) t.elementCount()];
            t.readFloats(0, all, 0, all.length);
            float[] part = new float[60];
            t.readFloats(37, part, 3, 50);
            for (int i = 0; i < 50; i++) assertEquals(all[37 + i], part[3 + i], name + "[" + (37 + i) + "]");
        }
    }
}
