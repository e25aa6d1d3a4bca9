"""The published experiment's points, shared by bench/gavel_curves.py, gavel_curves_plot.py and
gavel_compat.py (standard library only: Gavel's venv runs these scripts too).

- `POLICY`: Gavel 1f6f02e's policy name -> Tender's (fifo_perf is Tender's fifo_het, max-min las_het);
- `RATES`: per mode, the input rates (jobs/h) of the OSDI 2020 artifact's sweeps, bit for bit the floats
  `np.linspace(0, 6, 16)[1:]` (single-GPU) and `np.linspace(0, 3, 11)[1:]` (multi-GPU) that Gavel's sweep
  script passes on;
- `CAP_S`: the default wall-second cap of one child;
- `row_key`: one result row's point and engine (the key a restarted sweep skips by).
"""

from __future__ import annotations

from typing import Any

POLICY = {"fifo": "fifo", "fifo_perf": "fifo_het", "max_min_fairness_perf": "las_het"}
RATES = {
    "single": tuple(i * (6.0 / 15) for i in range(1, 16)),
    "multi": tuple(i * (3.0 / 10) for i in range(1, 11)),
}
CAP_S = 900.0


def row_key(row: dict[str, Any]) -> tuple[str, str, str, float]:
    return (row["engine"], row["mode"], row["policy"], round(float(row["rate"]), 6))
