"""Words and numbers shared by several steps (no Qt): people-friendly formatting, runs and metrics,
registered models, escaping for rich text. Text only one step uses lives in that step's package
(`steps/<step>/text.py`)."""
