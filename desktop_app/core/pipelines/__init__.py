"""Pipelines: the steps clicked through once, saved and run again on new data as one recorded job.

`definition` says what a pipeline is, `store` keeps definitions (a versioned, audited, synced
setting) and pipeline runs, `templates` writes definitions (from a model version's lineage, or
the two templates), `toml_file` reads and writes them for review, `steps` does each step's work,
`service` runs them in order with gates and reuse, `worker` runs one in its own process.
"""
