/**
 * The containers pickles arrive in, read over the mapping: ZIP archives read the way PyTorch's miniz reads them
 * ({@link dev.tensorfile.pickle.archive.ZipArchive}), and compressed streams (zlib, gzip, bzip2, xz, lzma and joblib's
 * old 'ZF' files) sniffed by their magic bytes and decompressed into a bounded temporary file. Kept apart from the
 * pickle machine because none of it is about pickles: the same sniffing serves the reader and the scanner.
 */
package dev.tensorfile.pickle.archive;
