package dev.tensorfile.core;

/**
 * Something a file holds that has no tensor or metadata equivalent (an HDF5 compound dataset, an ONNX sequence),
 * listed instead of silently dropped.
 *
 * @param name the entry's name or path in the file
 * @param description its type as the format names it, and why it is not a tensor
 */
public record UnsupportedEntry(String name, String description) {}
