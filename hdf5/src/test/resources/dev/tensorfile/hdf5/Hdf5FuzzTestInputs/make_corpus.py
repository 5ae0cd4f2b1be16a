#!/usr/bin/python3
"""The committed seed corpus of Hdf5FuzzTest: small h5py fixtures and deterministic mutations of them (bytes
flipped, runs zeroed, truncations). Run from this directory after gen/make_fixtures.py."""
import os, random
GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../../hdf5/gen')
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'openAndReadEverything')
rng = random.Random(7)
for name in ('superblock2.h5', 'sizes4.h5', 'refused-latest.h5', 'types-latest.h5', 'layouts-latest.h5'):
    data = open(os.path.join(GEN, name), 'rb').read()
    base = name.replace('.h5', '')
    open(os.path.join(OUT, base + '-seed'), 'wb').write(data)
    for i in range(6):
        b = bytearray(data)
        kind = i % 3
        if kind == 0:
            for _ in range(8):
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif kind == 1:
            at = rng.randrange(len(b))
            b[at:at + 16] = bytes(min(16, len(b) - at))
        else:
            b = b[:rng.randrange(64, len(b))]
        open(os.path.join(OUT, f'{base}-mut{i}'), 'wb').write(bytes(b))
