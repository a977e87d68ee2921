"""Whether a batch's drift should stop what comes after it, and one sentence saying why.

`mldesk drift --fail-on` exits 3 on it; a pipeline's drift step stops there on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.core.monitor.entities import MonitoringBatch


def verdict(batch: MonitoringBatch, fail_on: str) -> tuple[bool, str]:
    """(whether `--fail-on` holds, one sentence saying why the exit code is what it is)."""
    r = batch.result
    tested, drifted = len(r.columns), batch.drifted_columns
    columns = f"{len(drifted)} of {tested} columns drifted" + (f" ({', '.join(drifted)})" if drifted else "")
    others = [what for what, hit in (("the predictions", batch.prediction_drift),
                                     ("the domain classifier", batch.multivariate_drift)) if hit]
    if fail_on == "column":
        return bool(drifted), columns + ("" if drifted else "; --fail-on column needs at least one")
    if fail_on == "any":
        hits = ([columns] if drifted or batch.dataset_drift else []) + [f"{o} drifted" for o in others]
        return bool(hits), "; ".join(hits) if hits else "nothing drifted"
    share = f"{batch.share_drifted:.0%} {'≥' if batch.dataset_drift else '<'} the drift share {r.drift_share or 0:.0%}"
    if batch.dataset_drift:
        return True, f"dataset drift: {columns}, {share}"
    also = ["--fail-on column exits 3 on that" if drifted else ""] + \
        [f"--fail-on any exits 3 because {' and '.join(others)} drifted" if others else ""]
    hint = "; ".join(a for a in also if a)
    return False, f"no dataset drift: {columns}, {share}" + (f" ({hint})" if hint else "")
