"""One module per workflow step, named like its `core` counterpart (data, quality, training, ...)."""
