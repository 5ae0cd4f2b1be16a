#!/usr/bin/python3
"""Zstandard frames written by the zstd command-line tool (Debian's zstd), the reference for our decoder
(dev.tensorfile.hdf5.filter.Zstd): inputs chosen to reach every part of RFC 8878 that libzstd writes: raw and RLE
blocks, raw/RLE/Huffman/treeless literals (one and four streams, every size format), Huffman weights direct and
FSE-coded, predefined/RLE/FSE/repeated sequence tables, all repeat offsets, several blocks, with and without the
content checksum. frames.json gives each frame's original length and SHA-256 (computed here from the input, which
`zstd -d` also reproduces: checked below).

Run from this directory: /usr/bin/python3 make_zstd_frames.py
"""
import hashlib, json, os, random, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(8878)


def text(n):
    words = ['tensor', 'weight', 'bias', 'layer', 'dense', 'kernel', 'the', 'of', 'a', 'HDF5', 'chunk', 'filter',
             'blosc', 'zstd', 'shuffle', 'float32', 'gradient', 'model', '\n', ', ', '. ']
    out = []
    while sum(map(len, out)) < n:
        out.append(rng.choice(words) + ' ')
    return ''.join(out)[:n].encode()


inputs = {
    'zeros': bytes(300_000),                                           # RLE blocks
    'random': bytes(rng.getrandbits(8) for _ in range(140_000)),       # raw blocks
    'tiny': b'abc',                                                    # one-byte content size, raw literals
    'runs': b'a' * 40 + b'b' * 3 + b'a' * 40,                          # RLE literals, matches
    'text': text(200_000),                                            # Huffman literals, several blocks
    'floats': b''.join(int(1000 * (i % 97) + (i // 97)).to_bytes(4, 'little') for i in range(20_000)),
    'alphabet': bytes(rng.choice(b'ACGT') for _ in range(70_000)),     # few symbols: direct Huffman weights
    'bytes256': bytes(rng.randrange(256) if rng.random() < 0.3 else i % 256 for i in range(50_000)),
    'matches': b''.join(b'A' + bytes(rng.getrandbits(8) for _ in range(8)) * 3 for _ in range(2000)),  # RLE tables
    'two-symbols': bytes(rng.choice(b'ab') for _ in range(5000)),     # 14-bit literal sizes, predefined tables
    'words': ''.join(rng.choice(['alpha', 'beta', 'gamma', 'delta', '\n']) + ' ' for _ in range(150_000)).encode(),
}
levels = {'zeros': [3], 'random': [3], 'tiny': [3], 'runs': [1, 19], 'text': [1, 19], 'floats': [19],
          'alphabet': [19], 'bytes256': [6], 'matches': [19], 'two-symbols': [19], 'words': [19]}
manifest = {}
for name, data in inputs.items():
    src = os.path.join(HERE, name + '.bin')
    with open(src, 'wb') as f:
        f.write(data)
    for level in levels[name]:
        for check in ((True, False) if len(data) < 1000 else (True,)):
            frame = f'{name}-{level}{"" if check else "-nocheck"}.zst'
            out = os.path.join(HERE, frame)
            subprocess.run(['zstd', '-q', '-f', f'-{level}', '--ultra' if level > 19 else '-q',
                            '--check' if check else '--no-check', src, '-o', out], check=True)
            back = subprocess.run(['zstd', '-q', '-d', '-c', out], check=True, capture_output=True).stdout
            assert back == data, frame
            manifest[frame] = {'length': len(data), 'sha256': hashlib.sha256(data).hexdigest()}
    os.remove(src)
with open(os.path.join(HERE, 'frames.json'), 'w') as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
print(subprocess.run(['zstd', '--version'], capture_output=True, text=True).stdout.strip())
