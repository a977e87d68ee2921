"""Getting tabular data in: format detection, reading, column kinds, dataset versions."""
