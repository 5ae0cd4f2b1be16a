#!/usr/bin/python3
"""Makes the big-endian block-quantized fixtures with gguf-py's own byte-order converter (gguf_convert_endian.py,
gguf 0.19.0): copies of the llama-quantize files dv-microllama-{Q8_0,Q4_0,Q4_K_M}.gguf of ../../../../shared
fixtures, converted in place to big-endian (metadata, tensor infos, F32 data, and each block's f16 fields).

    PYTHONPATH=DIR /usr/bin/python3 make_be.py FIXTURES_DIR   # DIR: the gguf-0.19.0 and tqdm wheels unzipped

The tests judge our reading of them against the manifests of the little-endian originals (gguf-py's values)."""
import io, shutil, sys
from pathlib import Path
from gguf.scripts import gguf_convert_endian

src = Path(sys.argv[1])
here = Path(__file__).resolve().parent
for q in ('Q8_0', 'Q4_0', 'Q4_K_M'):
    out = here / f'be-microllama-{q}.gguf'
    shutil.copyfile(src / f'dv-microllama-{q}.gguf', out)
    sys.argv = ['gguf_convert_endian.py', str(out), 'big']
    sys.stdin = io.StringIO('YES\n')  # the tool asks before it rewrites the file in place
    gguf_convert_endian.main()
    print('wrote', out)
