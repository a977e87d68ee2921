"""The model registry: named models, numbered versions pointing at runs, aliases, KPI gates."""
