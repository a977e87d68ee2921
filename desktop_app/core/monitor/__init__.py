"""Drift monitoring: new rows of production data against a registered model version's training data.

Reached as `project.monitor` (service.MonitorService). Modules, one job each: statistics
(two-sample tests against a stored sorted reference, equal to SciPy's), reference (the
statistics of a version's training rows, built once and stored), drift (per-column and
dataset verdicts), predictions (prediction drift, metrics on labelled rows), multivariate
(domain classifier), charts (reference vs batch on the same bins), settings (thresholds,
editable per model), report_html (a self-contained page). See docs/drift.md.

Nothing heavy is imported here: the window and the CLI start quickly.
"""
