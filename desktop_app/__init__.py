"""MLDesk: a desktop MLOps workbench for tabular data."""

__version__ = "0.1.0"
