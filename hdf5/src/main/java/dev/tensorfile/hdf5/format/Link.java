package dev.tensorfile.hdf5.format;

/**
 * One link of a group: a hard link to an object header, a soft link to a path in this file, or an external link
 * to an object of another file (listed, never followed).
 *
 * @param address the object header of a hard link
 * @param target the path of a soft link, or the object path of an external link
 * @param file the file of an external link
 */
public record Link(String name, Kind kind, long address, String target, String file) {
    public enum Kind { HARD, SOFT, EXTERNAL }
}
