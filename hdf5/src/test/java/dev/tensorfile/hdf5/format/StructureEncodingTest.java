package dev.tensorfile.hdf5.format;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ValueType;
import dev.tensorfile.core.spi.ByteCursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every structure the writer emits, encoded by its class and read back by the same class's parser: the encoder
 * and the parser sit side by side and must agree. (What libhdf5 makes of the writer's files is
 * {@code Hdf5WriterInteropTest}'s job.)
 */
class StructureEncodingTest {
    private static final Path FILE = Path.of("structures.h5");

    /** An address space over {@code bytes} placed at address {@code at} (the rest zeros). */
    private static AddressSpace space(byte[] bytes, int at, int size) {
        byte[] file = new byte[Math.max(size, at + bytes.length)];
        System.arraycopy(bytes, 0, file, at, bytes.length);
        return new AddressSpace(MemorySegment.ofArray(file), 0, FILE, ReadLimits.DEFAULT);
    }

    private static ByteCursor cursor(byte[] bytes) {
        return new ByteCursor(MemorySegment.ofArray(bytes), 0, AddressSpace.FORMAT, FILE);
    }

    private static ObjectHeader.Message message(int type, byte[] body) {
        return new ObjectHeader.Message(type, 0, 0, body.length);
    }

    @Test
    void superblockVersion2() {
        byte[] b = Superblock.encodeV2(4096, 1234);
        assertEquals(Superblock.V2_SIZE, b.length);
        AddressSpace space = space(b, 0, 4096);
        Superblock sb = Superblock.read(space);
        assertEquals(2, sb.version());
        assertEquals(8, sb.offsetSize());
        assertEquals(8, sb.lengthSize());
        assertEquals(4096, sb.endOfFile());
        assertEquals(1234, sb.rootObjectHeader());
        assertEquals(AddressSpace.UNDEFINED, sb.extension());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "F32", "F64", "I8", "I16", "I32", "I64", "U8", "U16", "U32", "U64", "BOOL"})
    void datatypeOfEveryTensorType(DType t) {
        DatatypeMessage m = DatatypeMessage.read(cursor(DatatypeMessage.encode(t)), 0);
        assertEquals(t, m.dtype());
        assertEquals(t.blockBytes(), m.size());
        assertTrue(!m.bigEndian());
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "F8_E4M3", "F8_E5M2"})
    void kerasTypesAreOpaqueOfTheirSize(DType t) {
        DatatypeMessage m = DatatypeMessage.read(cursor(DatatypeMessage.encode(t)), 0);
        assertEquals(DatatypeMessage.OPAQUE, m.typeClass());
        assertEquals(t.blockBytes(), m.size());
    }

    @Test
    void variableLengthUtf8String() {
        DatatypeMessage m = DatatypeMessage.read(cursor(DatatypeMessage.encodeVlenUtf8()), 0);
        assertTrue(m.isVlenString());
        assertTrue(m.isString());
    }

    @Test
    void dataspaceScalarAndSimple() {
        AddressSpace space = space(new byte[0], 0, 64);
        DataspaceMessage scalar = DataspaceMessage.read(space, cursor(DataspaceMessage.encode(new long[0])));
        assertEquals(DataspaceMessage.Kind.SCALAR, scalar.kind());
        DataspaceMessage simple = DataspaceMessage.read(space, cursor(DataspaceMessage.encode(new long[] {3, 0, 1L << 40})));
        assertArrayEquals(new long[] {3, 0, 1L << 40}, simple.dims());
    }

    @Test
    void dataLayoutContiguousAndChunked() {
        byte[] contiguous = DataLayoutMessage.encodeContiguous(4096, 48);
        assertEquals(new DataLayoutMessage.Contiguous(4096, 48),
                DataLayoutMessage.read(space(contiguous, 0, 64), message(ObjectHeader.DATA_LAYOUT, contiguous)));
        byte[] chunked = DataLayoutMessage.encodeChunked(8192, new long[] {5, 7}, 4);
        var c = assertInstanceOf(DataLayoutMessage.Chunked.class,
                DataLayoutMessage.read(space(chunked, 0, 64), message(ObjectHeader.DATA_LAYOUT, chunked)));
        assertArrayEquals(new long[] {5, 7}, c.chunkDims());
        assertEquals(4, c.elementSize());
        assertEquals(8192, c.address());
        assertEquals(0, c.index());
    }

    @Test
    void filterPipelineShuffleThenDeflate() {
        byte[] b = FilterPipelineMessage.encodeShuffleDeflate(4, 6);
        FilterPipelineMessage p = FilterPipelineMessage.read(space(b, 0, 64), message(ObjectHeader.FILTER_PIPELINE, b));
        assertEquals(List.of(FilterPipelineMessage.SHUFFLE, FilterPipelineMessage.DEFLATE), p.filters().stream().map(FilterPipelineMessage.Filter::id).toList());
        assertArrayEquals(new int[] {4}, p.filters().get(0).clientData());
        assertArrayEquals(new int[] {6}, p.filters().get(1).clientData());
    }

    @Test
    void fillValueDefinesNoValue() {
        for (boolean chunked : new boolean[] {false, true}) {
            byte[] b = FillValueMessage.encode(chunked);
            byte[] header = ObjectHeader.encodeV2(List.of(new ObjectHeader.Body(ObjectHeader.FILL_VALUE, b)));
            AddressSpace space = space(header, 0, 256);
            assertEquals(null, FillValueMessage.read(space, ObjectHeader.read(space, 0)).value());
        }
    }

    @Test
    void hardLinkWithShortAndLongNames() {
        for (String name : new String[] {"dense", "λ".repeat(200), "x".repeat(70_000)}) {
            byte[] b = LinkMessage.encodeHard(name, 777);
            Link l = LinkMessage.read(space(b, 0, 64), cursor(b));
            assertEquals(name, l.name());
            assertEquals(Link.Kind.HARD, l.kind());
            assertEquals(777, l.address());
        }
    }

    @Test
    void objectHeaderVersion2WithItsChecksum() {
        List<ObjectHeader.Body> bodies = List.of(
                new ObjectHeader.Body(ObjectHeader.LINK_INFO, Group.encodeLinkInfo()),
                new ObjectHeader.Body(ObjectHeader.GROUP_INFO, Group.encodeGroupInfo()),
                new ObjectHeader.Body(ObjectHeader.LINK, LinkMessage.encodeHard("child", 4096)));
        byte[] header = ObjectHeader.encodeV2(bodies);
        AddressSpace space = space(header, 64, 8192);
        ObjectHeader h = ObjectHeader.read(space, 64);
        assertEquals(2, h.version());
        assertEquals(List.of(ObjectHeader.LINK_INFO, ObjectHeader.GROUP_INFO, ObjectHeader.LINK),
                h.messages().stream().map(ObjectHeader.Message::type).toList());
        assertTrue(Group.isGroup(h));
        assertEquals(List.of(new Link("child", Link.Kind.HARD, 4096, null, null)), Group.links(space, h));
    }

    @Test
    void attributesOfEveryMetadataTypeThroughTheGlobalHeap() {
        List<MetadataValue> values = List.of(new MetadataValue.Str("ünïcode"), new MetadataValue.Int(ValueType.I8, -3),
                new MetadataValue.Int(ValueType.U64, -1L), new MetadataValue.F32(1.5f), new MetadataValue.F64(-2.25),
                new MetadataValue.Bool(true), new MetadataValue.Array(ValueType.STRING,
                        List.of(new MetadataValue.Str("a"), new MetadataValue.Str(""), new MetadataValue.Str("bc"))),
                new MetadataValue.Array(ValueType.I32, List.of(new MetadataValue.Int(ValueType.I32, 1), new MetadataValue.Int(ValueType.I32, -2))));
        int heapAt = 64;
        GlobalHeap.Writer heap = new GlobalHeap.Writer(heapAt);
        List<ObjectHeader.Body> bodies = new ArrayList<>();
        bodies.add(new ObjectHeader.Body(ObjectHeader.ATTRIBUTE_INFO, Group.encodeAttributeInfo()));
        for (int i = 0; i < values.size(); i++) {
            bodies.add(new ObjectHeader.Body(ObjectHeader.ATTRIBUTE, AttributeValues.encode("a" + i, values.get(i), heap)));
        }
        ByteEncoder file = new ByteEncoder().zeros(heapAt);
        for (byte[] collection : heap.collections()) file.bytes(collection);
        long headerAt = file.size();
        file.bytes(ObjectHeader.encodeV2(bodies));
        AddressSpace space = space(file.toBytes(), 0, 0);
        ObjectHeader h = ObjectHeader.read(space, headerAt);
        StringDecoder strings = new StringDecoder(space, new GlobalHeap(space));
        List<AttributeMessage> attrs = Group.attributes(space, h, e -> { throw e; });
        assertEquals(values.size(), attrs.size());
        for (int i = 0; i < values.size(); i++) {
            assertEquals("a" + i, attrs.get(i).name());
            assertEquals(values.get(i), AttributeValues.of(attrs.get(i), strings), attrs.get(i).name());
        }
    }

    @Test
    void nestedArraysHaveNoAttributeForm() {
        var nested = new MetadataValue.Array(ValueType.ARRAY, List.of(new MetadataValue.Array(ValueType.I8, List.of())));
        assertEquals(null, AttributeValues.encode("n", nested, new GlobalHeap.Writer(0)));
    }

    @Test
    void globalHeapCollectionsSplitAtTheirLimits() {
        GlobalHeap.Writer w = new GlobalHeap.Writer(0);
        List<long[]> ids = new ArrayList<>();
        for (int i = 0; i < 70_000; i++) ids.add(w.add(("s" + i).getBytes(StandardCharsets.UTF_8)));
        ByteEncoder file = new ByteEncoder();
        List<byte[]> collections = w.collections();
        assertEquals(2, collections.size(), "65535 objects per collection");
        for (byte[] c : collections) file.bytes(c);
        AddressSpace space = space(file.toBytes(), 0, 0);
        GlobalHeap heap = new GlobalHeap(space);
        for (int i : new int[] {0, 65534, 65535, 69_999}) {
            long[] id = ids.get(i);
            assertArrayEquals(("s" + i).getBytes(StandardCharsets.UTF_8), heap.object(id[0], (int) id[1]).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void chunkBTreeOfOneLeafAndOfSeveralLevels() {
        for (int count : new int[] {1, 64, 65, 64 * 64 + 1}) {
            List<BTreeV1.ChunkEntry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) entries.add(new BTreeV1.ChunkEntry(new long[] {i * 10L, 0}, 100 + i, 1_000_000L + i * 200L));
            long at = 4096;
            BTreeV1.Encoded tree = BTreeV1.encodeChunks(at, entries, new long[] {count * 10L, 3}, 120);
            AddressSpace space = space(tree.bytes(), (int) at, 2_000_000 + count * 200);
            List<BTreeV1.ChunkRecord> read = new ArrayList<>();
            BTreeV1.walkChunks(space, tree.root(), 2, read::add);
            assertEquals(count, read.size(), count + " chunks");
            read.sort((a, b) -> Long.compare(a.offsets()[0], b.offsets()[0]));
            for (int i = 0; i < count; i++) {
                BTreeV1.ChunkRecord r = read.get(i);
                assertEquals(i * 10L, r.offsets()[0]);
                assertEquals(100 + i, r.size());
                assertEquals(1_000_000L + i * 200L, r.address());
                assertEquals(0, r.filterMask());
            }
            assertTrue(Arrays.equals(tree.bytes(), 0, 4, "TREE".getBytes(StandardCharsets.US_ASCII), 0, 4));
        }
    }
}
