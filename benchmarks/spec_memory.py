"""Peak memory of walking n sampled specs: the old list (`sample_specs`) against the lazy `iter_specs`, in fresh
processes of the same run, for n and 4n. Prints peak RSS (MB) and the ratios; lazy should stay flat in n.

usage: python benchmarks/spec_memory.py [N]
"""

from __future__ import annotations

import subprocess
import sys

WALK = """
import resource, sys
from civilinstruct.spec.sampling import iter_specs, sample_specs
n, how = int(sys.argv[1]), sys.argv[2]
count = 0
for spec in (sample_specs(n, 0) if how == "list" else iter_specs(n, 0)):
    count += spec.stories > 0
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_mb(n: int, how: str) -> float:
    out = subprocess.run([sys.executable, "-c", WALK, str(n), how], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rows = {(how, k): peak_mb(k, how) for how in ("list", "lazy") for k in (n, 4 * n)}
    for (how, k), mb in rows.items():
        print(f"{how:5} n={k:>9,}: peak RSS {mb:7.1f} MB")
    print(f"list: x{rows[('list', 4 * n)] / rows[('list', n)]:.2f} at 4n; "
          f"lazy: x{rows[('lazy', 4 * n)] / rows[('lazy', n)]:.2f} at 4n; "
          f"lazy/list at 4n: {rows[('lazy', 4 * n)] / rows[('list', 4 * n)]:.2f}")


if __name__ == "__main__":
    main()
