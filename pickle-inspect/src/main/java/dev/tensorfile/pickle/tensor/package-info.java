/**
 * From a pickle's inert tree to tensors: finding torch tensors and numpy arrays in the tree and naming them as a
 * state dict would, rebuilding each over its storage's bytes (a view of the mapping, a deflated entry, or a strided,
 * swapped gather), and the opened file that owns them. Shared by every container reader, so it knows the element
 * types of torch and numpy but no container.
 */
package dev.tensorfile.pickle.tensor;
