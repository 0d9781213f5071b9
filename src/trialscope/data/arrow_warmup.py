"""Imported by the ingest's forkserver so every worker it forks starts with pyarrow warmed up.

pyarrow imports pandas lazily on the first `pa.array` call (~0.9 s). Done once here, in the
forkserver, the forked workers inherit it instead of each paying for it on its first chunk.
"""

from __future__ import annotations

import pyarrow as pa

pa.array([""], type=pa.string())
