/**
 * What pickles arrive in, besides ZIP archives (which core's {@code ZipArchive} reads): compressed streams (zlib,
 * gzip, bzip2, xz, lzma and joblib's old 'ZF' files) sniffed by their magic bytes and decompressed into a bounded
 * temporary file, and the magic bytes of the archives the scanner names but does not open. Kept apart from the
 * pickle machine because none of it is about pickles: the same sniffing serves the reader and the scanner.
 */
package dev.tensorfile.pickle.archive;
