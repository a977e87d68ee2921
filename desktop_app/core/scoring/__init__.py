"""Scoring new rows with a trained model: its input signature, validation, batch scoring.

    signature = project.scoring.signature("churn@2")          # columns, kinds, ranges, categories
    report = project.scoring.validate("churn@2", frame)        # problems per column, valid-row mask
    result = project.scoring.score_file("churn@2", "new.csv", out=Path("scored.csv"))

Modules: source (which model: a registry version or a run), signature (what the model takes),
validation (rows against the signature), predict (chunked predictions and class probabilities),
files (reading input with the app's reader, writing CSV/Parquet/Excel), service (ScoringService,
reached as `project.scoring`). Pure domain code: no Qt.
"""
