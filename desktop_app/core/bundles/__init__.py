"""Exported bundles: a folder (or the same folder zipped) that runs a model without MLDesk.

    result = project.bundles.export("heart-risk@production", Path("exports"), zip=False, progress=cb)
    result.path            # exports/heart-risk-v3/ (or exports/heart-risk-v3.zip)
    result.verification    # predict.py run in a separate process agrees with the model in the app
    project.bundles.verify(result.path, "heart-risk@3")

Modules: vendor (the MLDesk modules the model file needs, copied into code/), mlmodel
(MLflow's MLmodel, requirements, python_env.yaml, conda.yaml), card (MODEL_CARD.md),
checksums (SHA256SUMS), writer (the bundle's files), verify (predict.py against the
app), listing (what a bundle on disk holds), service (BundleService, reached as `project.bundles`; `stale_exports` and
`remove_stale_exports` find and clear what a crashed export left). The bundle's own scripts
are real files in templates/ (predict.py, serve.py), completed at export; they check rows
with the app's own scoring.validation, vendored into code/. See DESIGN.md, "The exported
bundle". Pure domain code: no Qt.
"""
