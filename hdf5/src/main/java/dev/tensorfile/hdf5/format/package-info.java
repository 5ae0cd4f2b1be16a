/**
 * The HDF5 file format's structures, one class each, named as the specification names them (HDF5 File Format
 * Specification version 3.0): {@link dev.tensorfile.hdf5.format.Superblock} (III.A), the version 1 and 2 B-trees
 * ({@code BTreeV1}, {@code BTreeV2}, III.A), {@code SymbolTableNode} (III.B), {@code LocalHeap} (III.D),
 * {@code GlobalHeap} (III.E), {@code FractalHeap} (III.G), the chunk indexes of layout version 4
 * ({@code FixedArrayIndex}, {@code ExtensibleArrayIndex}, {@code ChunkIndex}), {@code ObjectHeader} (IV.A) and its
 * messages ({@code DataspaceMessage}, {@code DatatypeMessage}, {@code FillValueMessage}, {@code LinkMessage},
 * {@code DataLayoutMessage}, {@code FilterPipelineMessage}, {@code AttributeMessage}, {@code SharedMessage}, and
 * {@code Group} for the link info, group info, symbol table and attribute info messages).
 *
 * <p>Each class parses its structure from an {@link dev.tensorfile.hdf5.format.AddressSpace} (the mapped file, its
 * offset and length sizes, its base address; every read bounds-checked, every error naming file, structure and
 * byte offset) and, where the writer emits it, encodes it beside the parser ({@code Superblock.encodeV2},
 * {@code ObjectHeader.encodeV2}, {@code BTreeV1.encodeChunks}, {@code GlobalHeap.Writer}, ...) with
 * {@code ByteEncoder}. {@code AttributeValues} and {@code StringDecoder} translate attribute values and strings to
 * and from the core model. The package is internal to the module: the reader, the writer and the tensors in
 * {@code dev.tensorfile.hdf5} are its only users; the chunk filters are in {@code dev.tensorfile.hdf5.filter}.
 */
package dev.tensorfile.hdf5.format;
