#!/usr/bin/python3
"""Makes the HDF5 benchmark files with h5py and times h5py reading them (the baseline of Hdf5ReadBenchmark).

    /usr/bin/python3 benchmarks/scripts/hdf5_bench.py [DIR]     (default /tmp/tensorfile-hdf5-bench)

contig.h5  /data: 64 Mi float32 (256 MiB), contiguous
gzip.h5    /data: the same values, chunks of 256 Ki elements (1 MiB), shuffle + gzip level 4 (h5py's default)
dense.h5   10,000 datasets of 4 float32 in 100 groups of 100 (libver latest: dense link storage)
Then reads /data of contig.h5 and gzip.h5 whole into a preallocated float32 array (read_direct), best of 5,
and prints MiB/s per file (JMH reports ms/op for the same work: 256 MiB / (ms/1000)).
"""
import os, sys, time
import numpy as np
import h5py

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/tensorfile-hdf5-bench'
os.makedirs(out, exist_ok=True)
N = 64 << 20
paths = {k: os.path.join(out, k + '.h5') for k in ('contig', 'gzip', 'dense')}
if not all(os.path.exists(p) for p in paths.values()):
    rng = np.random.default_rng(1)
    # weights-like values: normal, rounded to 12 mantissa bits so gzip has something to find, as in real checkpoints
    data = (rng.standard_normal(N, dtype=np.float32).view(np.uint32) & 0xFFFFF800).view(np.float32)
    with h5py.File(paths['contig'], 'w') as f:
        f['data'] = data
    with h5py.File(paths['gzip'], 'w') as f:
        f.create_dataset('data', data=data, chunks=(256 << 10,), shuffle=True, compression='gzip', compression_opts=4)
    with h5py.File(paths['dense'], 'w', libver='latest') as f:
        for g in range(100):
            grp = f.create_group(f'layer_{g:03d}')
            for d in range(100):
                grp[f'w{d:03d}'] = np.full(4, g * 100 + d, dtype=np.float32)
dst = np.empty(N, dtype=np.float32)
for k in ('contig', 'gzip'):
    best = float('inf')
    for _ in range(5):
        t = time.perf_counter()
        with h5py.File(paths[k], 'r') as f:
            f['data'].read_direct(dst)
        best = min(best, time.perf_counter() - t)
    print(f'h5py {k}: {best * 1000:.1f} ms, {N * 4 / 2**20 / best:.0f} MiB/s')
best = float('inf')
for _ in range(5):
    t = time.perf_counter()
    with h5py.File(paths['dense'], 'r') as f:
        n = []
        f.visititems(lambda name, o: n.append(name) if isinstance(o, h5py.Dataset) else None)
    best = min(best, time.perf_counter() - t)
print(f'h5py dense: open + list {len(n)} datasets {best * 1000:.1f} ms')
