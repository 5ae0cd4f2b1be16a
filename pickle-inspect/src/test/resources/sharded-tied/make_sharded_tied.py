#!/usr/bin/python3
"""A sharded PyTorch checkpoint whose first shard ties two weights (one storage, as a tied lm_head), with the
transformers-style index beside it. Run here: /usr/bin/python3 make_sharded_tied.py. Prints, per shard, what
torch reads back: which names share a storage (the aliases ShardedTensorFileTest expects)."""
import json, os
import torch

emb = torch.arange(12, dtype=torch.float32).reshape(3, 4)
shard1 = {"embed.weight": emb, "lm_head.weight": emb}  # tied: the same tensor object, saved once
shard2 = {"norm.weight": torch.ones(4)}
files = {"pytorch_model-00001-of-00002.bin": shard1, "pytorch_model-00002-of-00002.bin": shard2}
weight_map = {}
for name, sd in files.items():
    torch.save(sd, name)
    weight_map.update({k: name for k in sd})
total = sum(t.numel() * t.element_size() for t in [emb, shard2["norm.weight"]])
with open("pytorch_model.bin.index.json", "w") as f:
    json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
for name in files:
    sd = torch.load(name)
    ptrs = {}
    for k, t in sd.items():
        ptrs.setdefault((t.untyped_storage().data_ptr() if hasattr(t, "untyped_storage") else t.storage().data_ptr()), []).append(k)
    print(name, [v for v in ptrs.values() if len(v) > 1])
