/**
 * PyTorch's vocabulary as its pickles spell it: element types by storage class and dtype name, the layout of the
 * legacy {@code torch.save} stream, and transformers' sharded checkpoints opened from their index JSON. The readers
 * of torch's containers (zip, TorchScript, legacy) sit in the parent package; what they need to understand torch's
 * records is here.
 */
package dev.tensorfile.pickle.torch;
