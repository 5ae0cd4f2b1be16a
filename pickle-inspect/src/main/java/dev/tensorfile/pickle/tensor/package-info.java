/**
 * From a pickle's inert tree to tensors: finding torch tensors and numpy arrays in the tree and naming them as a
 * state dict would, rebuilding each over its storage's bytes (a view of the mapping, a deflated entry, or a strided,
 * swapped gather), and what one open of a file has found ({@link dev.tensorfile.pickle.tensor.Contents}), which every
 * container reader fills and which builds the opened file that owns the mappings. It knows the element types of
 * torch and numpy; the only file it opens itself is the sibling {@code .npy} a joblib 0.9 pickle names.
 */
package dev.tensorfile.pickle.tensor;
