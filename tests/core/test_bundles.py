"""Exported bundles: the files, MLflow's loader, predict.py and serve.py without MLDesk, and refusals."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from desktop_app.core.bundles.checksums import check_sums, write_sums
from desktop_app.core.bundles.errors import BundleError
from desktop_app.core.data.settings import DEFAULT_MISSING_MARKERS
from desktop_app.core.errors import Cancelled
from desktop_app.core.progress import CancelToken
from desktop_app.core.scoring.errors import ScoringError
from desktop_app.core.tracking.entities import RunSpec
from tests.core.bundle_helpers import (
    app_messages,
    assert_same,
    clean_env,
    csv_rows,
    expected,
    export_heart,
    request,
    run_predict,
    serving,
)

DESIGN_FILES = {"MLmodel", "model.skops", "requirements.txt", "python_env.yaml", "conda.yaml", "input_example.json",
                "predict.py", "serve.py", "Dockerfile", "MODEL_CARD.md", "SHA256SUMS"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """heart-risk@1 (logistic regression) exported once, with its project."""
    with export_heart(tmp_path_factory.mktemp("bundles")) as (project, result):
        yield project, result


@pytest.fixture
def bundle_copy(exported, tmp_path) -> Path:
    _, result = exported
    return Path(shutil.copytree(result.path, tmp_path / result.path.name))


# -- the export ----------------------------------------------------------------------------------


def test_export_writes_the_design_files_and_verifies_them(exported):
    project, result = exported
    folder = result.path
    assert folder.name == "heart-risk-v1" and folder.parent.name == "out" and not result.zipped
    assert DESIGN_FILES <= set(result.files) and "code/desktop_app/core/training/transformers.py" in result.files
    assert {"signature.json", "code/desktop_app/core/scoring/validation.py"} <= set(result.files)
    signature = json.loads((folder / "signature.json").read_text())
    assert signature == project.scoring.signature("heart-risk@1").to_dict()
    assert sorted(p.name for p in folder.parent.iterdir()) == ["heart-risk-v1"]   # no temporary folder left
    assert check_sums(folder) == []
    assert result.verification.ok and result.verification.rows_checked == 5 + 1000, result.verification.reason
    assert {c["name"] for c in result.verification.checks} == {"input example", "held-out rows"}
    assert "heart-risk-v1" not in str(list(folder.rglob("__pycache__")))
    requirements = (folder / "requirements.txt").read_text().split()
    assert [r.split("==")[0] for r in requirements][:3] == ["scikit-learn", "skops", "numpy"]
    assert all("==" in r for r in requirements)
    card = (folder / "MODEL_CARD.md").read_text()
    assert "heart-risk — version 1" in card and result.model_sha256 in card and "heart@1" in card
    events = [e for e in project.audit_events() if e.action == "model.export"]
    assert events and events[0].after["path"] == str(folder) and events[0].after["verified"] is True
    dockerfile = (folder / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert 'CMD ["python", "serve.py", "--host", "0.0.0.0", "--port", "8080"]' in dockerfile


def test_mlmodel_is_what_mlflow_reads(exported):
    from mlflow.models import Model

    project, result = exported
    model = Model.load(str(result.path / "MLmodel"))
    pyfunc, sklearn_flavor = model.flavors["python_function"], model.flavors["sklearn"]
    assert pyfunc["loader_module"] == "mlflow.sklearn" and pyfunc["model_path"] == "model.skops"
    assert pyfunc["code"] == "code" and pyfunc["env"]["virtualenv"] == "python_env.yaml"
    assert sklearn_flavor["serialization_format"] == "skops" and sklearn_flavor["pickled_model"] == "model.skops"
    from desktop_app.core.training.model_io import trusted_types

    assert sklearn_flavor["skops_trusted_types"] == trusted_types()
    signature = project.scoring.signature("heart-risk")
    assert model.signature.inputs.input_names() == signature.names
    assert model.saved_input_example_info["type"] == "dataframe"
    example = json.loads((result.path / "input_example.json").read_text())
    assert example["columns"] == signature.names and len(example["data"]) == 5


def test_mlflow_pyfunc_loads_the_bundle_with_its_own_copy_of_the_mldesk_code(exported, tmp_path):
    project, result = exported
    frame = csv_rows()
    frame.to_parquet(tmp_path / "rows.parquet")
    code = (
        "import json, sys, mlflow.pyfunc, pandas as pd\n"
        f"model = mlflow.pyfunc.load_model({str(result.path)!r})\n"
        "import desktop_app\n"
        "frame = pd.read_parquet('rows.parquet')\n"
        "print(json.dumps({'module': desktop_app.__file__, 'labels': list(model.predict(frame)),\n"
        "                  'proba': model.get_raw_model().predict_proba(frame).tolist()}))\n"
    )
    env = {**clean_env(), "MLFLOW_ALLOW_PICKLE_DESERIALIZATION": "true"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(answer["module"]).is_relative_to(result.path / "code")
    labels, proba = expected(project, pd.read_parquet(tmp_path / "rows.parquet"))
    assert answer["labels"] == list(labels)
    np.testing.assert_allclose(answer["proba"], proba, rtol=0, atol=1e-9)


def test_predict_py_reads_csv_parquet_and_stdin(exported, tmp_path):
    project, result = exported
    frame = csv_rows()
    frame.to_csv(tmp_path / "in.csv", index=False)
    frame.to_parquet(tmp_path / "in.parquet")
    labels, proba = expected(project, pd.read_csv(tmp_path / "in.csv", na_values=list(DEFAULT_MISSING_MARKERS)))
    from_file = run_predict(sys.executable, result.path, "in.csv", cwd=tmp_path)
    assert from_file.returncode == 0, from_file.stderr
    assert_same(pd.read_csv(io.StringIO(from_file.stdout)), labels, proba)
    piped = subprocess.run([sys.executable, str(result.path / "predict.py"), "-"], input=(tmp_path / "in.csv")
                           .read_text(), cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and piped.stdout == from_file.stdout
    done = run_predict(sys.executable, result.path, "in.parquet", "--with-input", "--out", "out.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns[:len(frame.columns)]) == list(frame.columns)
    assert_same(out, *expected(project, pd.read_parquet(tmp_path / "in.parquet")))


def test_predict_py_refuses_missing_columns_with_the_apps_sentence(exported, tmp_path):
    project, result = exported
    frame = csv_rows(10).drop(columns=["age"])
    frame.to_csv(tmp_path / "in.csv", index=False)
    done = run_predict(sys.executable, result.path, "in.csv", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [f"error: {m}" for m in app_messages(project, frame, "error")]
    assert "Column 'age' is missing" in done.stderr


def _with_text_in_a_number_column(n: int = 20) -> pd.DataFrame:
    frame = csv_rows(n).astype({"age": object, "weight": object})
    frame.loc[[3, 7], "age"] = ["sixty", "unknown"]
    frame.loc[5, "weight"] = "heavy"
    return frame


def _with_unseen_values(n: int = 20) -> pd.DataFrame:
    frame = csv_rows(n).astype({"cholesterol": object})
    frame.loc[[2, 9], "cholesterol"] = "sky-high"
    frame.loc[4, "age"] = 120     # beyond the oldest patient in training
    return frame


def _as_a_file(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """`frame` written to `path` as CSV, and the rows read back as predict.py reads them."""
    frame.to_csv(path, index=False)
    return pd.read_csv(path, na_values=list(DEFAULT_MISSING_MARKERS))


def test_predict_py_refuses_text_in_a_number_column_as_mldesk_predict_does(exported, tmp_path):
    project, result = exported
    read_back = _as_a_file(_with_text_in_a_number_column(), tmp_path / "in.csv")
    errors = app_messages(project, read_back, "error")
    assert len(errors) == 2 and "'age' holds text" in errors[0] and "'sixty'" in errors[0]
    with pytest.raises(ScoringError, match="cannot be scored"):
        project.scoring.score_frame("heart-risk@1", read_back)       # what `mldesk predict` runs
    done = run_predict(sys.executable, result.path, "in.csv", "--out", "out.csv", cwd=tmp_path)
    assert done.returncode == 1 and not (tmp_path / "out.csv").exists()
    assert done.stderr.splitlines() == [f"error: {m}" for m in errors]


def test_predict_py_scores_unseen_values_with_the_apps_warnings(exported, tmp_path):
    project, result = exported
    read_back = _as_a_file(_with_unseen_values(), tmp_path / "in.csv")
    warnings = app_messages(project, read_back, "warning")
    assert any("'sky-high'" in w for w in warnings) and any("outside the range" in w for w in warnings)
    done = run_predict(sys.executable, result.path, "in.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"warning: {m}" for m in warnings]
    assert_same(pd.read_csv(io.StringIO(done.stdout)), *expected(project, read_back))


def test_predict_py_refuses_bad_input_files_in_one_sentence(exported, tmp_path):
    _, result = exported
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "short.json").write_text(json.dumps({"columns": ["age", "gender"], "data": [[50]]}))
    (tmp_path / "twice.json").write_text(json.dumps({"columns": ["age", "age"], "data": [[50, 51]]}))
    (tmp_path / "a folder.csv").mkdir()
    cases = {
        "nowhere.csv": "There is no file nowhere.csv.",
        "a folder.csv": "a folder.csv is not a file.",
        "empty.csv": "empty.csv is empty; give a file with a header line and rows.",
        "empty.json": "empty.json is empty; give a file with a header line and rows.",
        "short.json": "The rows do not match the columns",
        "twice.json": "'columns' names 'age' more than once; name each column once.",
    }
    for name, message in cases.items():
        done = run_predict(sys.executable, result.path, name, cwd=tmp_path)
        assert done.returncode == 1 and done.stderr.startswith(f"error: {message}"), (name, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    header_only = run_predict(sys.executable, result.path, "-", cwd=tmp_path, input="\n")
    assert header_only.returncode == 1 and header_only.stderr == (
        "error: The input is empty; give a CSV table with a header line.\n")


# -- serve.py ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(exported, tmp_path_factory):
    _, result = exported
    with serving(result.path, tmp_path_factory.mktemp("serve")) as port:
        yield port


def test_serve_answers_ping_and_every_request_format(exported, server):
    project, _ = exported
    assert request(server, "GET", "/ping") == (200, {"status": "ok", "model": "heart-risk@1"})
    frame = csv_rows(25)
    labels, proba = expected(project, frame)
    split = json.loads(frame.to_json(orient="split", index=False))
    records = json.loads(frame.to_json(orient="records"))
    bodies = [
        (json.dumps({"dataframe_split": split}).encode(), "application/json"),
        (json.dumps({"dataframe_records": records}).encode(), "application/json; charset=utf-8"),
        (frame.to_csv(index=False).encode(), "text/csv"),
    ]
    for body, content_type in bodies:
        status, answer = request(server, "POST", "/invocations", body, content_type)
        assert status == 200, answer
        assert answer["predictions"] == list(labels) and "warnings" not in answer
        got = [[row["No"], row["Yes"]] for row in answer["probabilities"]]
        np.testing.assert_allclose(got, proba, rtol=0, atol=1e-9)


def test_serve_answers_bad_requests_with_400_and_a_message(exported, server):
    project, _ = exported
    status, answer = request(server, "POST", "/invocations", b"{not json")
    assert status == 400 and answer["error_code"] == "BAD_REQUEST" and "not valid JSON" in answer["message"]
    status, answer = request(server, "POST", "/invocations", json.dumps({"rows": []}).encode())
    assert status == 400 and "dataframe_split" in answer["message"]
    missing = json.dumps({"dataframe_records": [{"age": 50}]}).encode()
    status, answer = request(server, "POST", "/invocations", missing)
    errors = app_messages(project, pd.DataFrame({"age": [50]}), "error")
    assert status == 400 and answer["problems"] == errors and len(errors) == 10
    assert answer["message"] == f"{errors[0]} (and 9 more problems)"
    assert request(server, "GET", "/nowhere")[0] == 404
    assert request(server, "POST", "/invocations", b"a,b", "application/xml")[0] == 400


def test_serve_refuses_text_in_a_number_column_and_warns_of_unseen_values(exported, server):
    project, _ = exported
    for frame, status_wanted in ((_with_text_in_a_number_column(), 400), (_with_unseen_values(), 200)):
        body = frame.to_csv(index=False).encode()
        read_back = pd.read_csv(io.BytesIO(body), na_values=list(DEFAULT_MISSING_MARKERS))
        status, answer = request(server, "POST", "/invocations", body, "text/csv")
        assert status == status_wanted, answer
        if status == 400:
            assert answer["problems"] == app_messages(project, read_back, "error")
        else:
            assert answer["warnings"] == app_messages(project, read_back, "warning")
            assert answer["predictions"] == list(expected(project, read_back)[0])
    records = json.loads(_with_text_in_a_number_column().to_json(orient="records"))
    status, answer = request(server, "POST", "/invocations", json.dumps({"dataframe_records": records}).encode())
    assert status == 400 and "Column 'age' holds text where the model expects numbers" in answer["message"]


# -- refusals ------------------------------------------------------------------------------------


def _untrusted_model() -> bytes:
    import skops.io as sio
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    return sio.dumps(Pipeline([("run", FunctionTransformer(func=os.system))]))


def test_a_model_holding_an_untrusted_type_is_refused_by_the_bundle_and_the_app(bundle_copy, tmp_path):
    from desktop_app.core.training.errors import UntrustedModelError
    from desktop_app.core.training.model_io import load_model

    data = _untrusted_model()
    (bundle_copy / "model.skops").write_bytes(data)
    write_sums(bundle_copy)  # a consistent SHA256SUMS: only the allow-list stands in the way
    csv_rows(5).to_csv(tmp_path / "in.csv", index=False)
    done = run_predict(sys.executable, bundle_copy, "in.csv", "--out", "out.csv", cwd=tmp_path)
    assert done.returncode == 1 and "does not trust (posix.system)" in done.stderr, done.stderr
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(UntrustedModelError, match="posix.system"):
        load_model(data)


def test_the_bundles_allow_list_comes_from_predict_py_not_from_mlmodel(bundle_copy, tmp_path):
    """Adding the type to MLmodel's skops_trusted_types (what MLflow would read) changes nothing for predict.py."""
    (bundle_copy / "model.skops").write_bytes(_untrusted_model())
    mlmodel = (bundle_copy / "MLmodel").read_text()
    (bundle_copy / "MLmodel").write_text(mlmodel.replace('      - "numpy.dtype"\n',
                                                         '      - "numpy.dtype"\n      - "posix.system"\n'))
    write_sums(bundle_copy)
    csv_rows(5).to_csv(tmp_path / "in.csv", index=False)
    done = run_predict(sys.executable, bundle_copy, "in.csv", cwd=tmp_path)
    assert done.returncode == 1 and "posix.system" in done.stderr


def test_files_not_matching_sha256sums_are_refused(exported, bundle_copy, tmp_path):
    project, _ = exported
    csv_rows(5).to_csv(tmp_path / "in.csv", index=False)
    model = bundle_copy / "model.skops"
    model.write_bytes(model.read_bytes() + b"\0")
    done = run_predict(sys.executable, bundle_copy, "in.csv", cwd=tmp_path)
    assert done.returncode == 1 and "model.skops does not match its hash in SHA256SUMS" in done.stderr
    verification = project.bundles.verify(bundle_copy, "heart-risk@1")
    assert not verification.ok and "model.skops does not match" in verification.reason

    model.write_bytes(model.read_bytes()[:-1])
    (bundle_copy / "code" / "sklearn.py").write_text("raise SystemExit('hijacked')\n")   # shadowing a library
    done = run_predict(sys.executable, bundle_copy, "in.csv", cwd=tmp_path)
    assert done.returncode == 1 and "code/sklearn.py is not listed in SHA256SUMS" in done.stderr
    (bundle_copy / "code" / "sklearn.py").unlink()
    assert project.bundles.verify(bundle_copy, "heart-risk@1").ok


def test_verify_refuses_a_bundle_of_another_model(exported, bundle_copy):
    project, _ = exported
    other = project.runs.train(RunSpec("heart", "heart_disease", "logistic_regression", params={"C": 0.1}))
    verification = project.bundles.verify(bundle_copy, other.id)
    assert not verification.ok and "another model" in verification.reason


def _edited_skops(model: bytes, edit) -> bytes:
    """The model file with its schema.json passed through `edit` (the arrays as they were)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(model)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, edit(data.decode()).encode() if item.filename == "schema.json" else data)
    return out.getvalue()


def _cut_short(schema: str) -> str:
    return schema[: len(schema) // 2]


def _pipeline_made_a_partial(schema: str) -> str:
    """A crafted file: every type stays on the allow-list, but the top object is a functools.partial built
    from the pipeline's state, which skops cannot construct."""
    top = '"__class__": "Pipeline",\n  "__module__": "sklearn.pipeline"'
    assert top in schema
    return schema.replace(top, '"__class__": "partial",\n  "__module__": "functools"', 1)


def _not_a_pipeline() -> bytes:
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    return sio.dumps(LogisticRegression().fit([[0.0], [1.0]], [0, 1]))


@pytest.mark.parametrize("model, message", [
    (lambda good: _not_a_pipeline(), "model.skops holds a LogisticRegression, not the fitted scikit-learn pipeline"),
    (lambda good: _edited_skops(good, _cut_short), "model.skops cannot be read as a skops file (JSONDecodeError)"),
    (lambda good: _edited_skops(good, _pipeline_made_a_partial), "model.skops cannot be loaded (TypeError: type "
                                                                 "'partial' takes at least one argument)"),
], ids=["not-a-pipeline", "unreadable", "unloadable"])
def test_a_wrong_or_damaged_model_file_stops_predict_and_serve_in_one_sentence(bundle_copy, tmp_path, model, message):
    """With a SHA256SUMS that matches (rewritten), so that only the model file's content is at fault."""
    path = bundle_copy / "model.skops"
    path.write_bytes(model(path.read_bytes()))
    write_sums(bundle_copy)
    csv_rows(5).to_csv(tmp_path / "in.csv", index=False)
    for script, args in (("predict.py", ["in.csv"]), ("serve.py", ["--port", "0"])):
        done = subprocess.run([sys.executable, str(bundle_copy / script), *args], cwd=tmp_path, env=clean_env(),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 1 and done.stdout == "", (script, done.stdout)
        assert done.stderr.startswith(f"error: {message}") and len(done.stderr.splitlines()) == 1, (script,
                                                                                                      done.stderr)


def test_a_signature_changed_after_export_is_refused(bundle_copy, tmp_path):
    signature = bundle_copy / "signature.json"
    signature.write_text(signature.read_text().replace('"kind": "numeric"', '"kind": "text"'))
    csv_rows(5).to_csv(tmp_path / "in.csv", index=False)
    done = run_predict(sys.executable, bundle_copy, "in.csv", cwd=tmp_path)
    assert done.returncode == 1 and "signature.json does not match its hash in SHA256SUMS" in done.stderr


def test_a_bundle_that_fails_verification_is_not_kept(exported, tmp_path, monkeypatch):
    """The bundle is written with another model's file (and a SHA256SUMS to match): its predict.py runs,
    disagrees with the model in the app, and neither the bundle nor its temporary folder stays."""
    import desktop_app.core.bundles.writer as writer

    project, _ = exported
    other = project.runs.train(RunSpec("heart", "heart_disease", "logistic_regression", params={"C": 0.001}, seed=3))
    original = writer.write_bundle

    def write_with_another_model(folder, content, progress):
        files = original(folder, content, progress)
        (folder / "model.skops").write_bytes(project.objects.read_bytes(other.model_sha256))
        write_sums(folder)
        return files

    monkeypatch.setattr(writer, "write_bundle", write_with_another_model)
    exports_before = len([e for e in project.audit_events() if e.action == "model.export"])
    with pytest.raises(BundleError, match=r"^The bundle was not kept: The bundle disagrees with the model in "
                                          r"MLDesk on the (input example|held-out rows): "):
        project.bundles.export("heart-risk@1", tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    assert len([e for e in project.audit_events() if e.action == "model.export"]) == exports_before


# -- crash debris ----------------------------------------------------------------------------------


def test_stale_exports_are_those_of_a_dead_owner_on_this_host(exported, tmp_path):
    from desktop_app.core.bundles.service import (
        EXPORT_TEMP_PREFIX,
        remove_stale_exports,
        stale_exports,
    )
    from desktop_app.core.identity import current_host
    from desktop_app.core.owners import current_owner, host_tag, owner_of_temp, process_started_ms, temp_name

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    started = process_started_ms(child.pid)
    child.communicate(b"", timeout=60)                                   # the owner is gone
    me = current_owner()
    names = {
        "dead": f"{EXPORT_TEMP_PREFIX}{host_tag(current_host())}.{child.pid}.{started}.0001",
        "recycled pid": f"{EXPORT_TEMP_PREFIX}{host_tag(me.host)}.{me.pid}.{me.started_ms - 5000}.0002",
        "live": temp_name(EXPORT_TEMP_PREFIX),
        "other host": f"{EXPORT_TEMP_PREFIX}{host_tag('build-server.example')}.{child.pid}.{started}.0003",
        "older MLDesk": f"{EXPORT_TEMP_PREFIX}3f2a9c1b7d4e",
    }
    for name in names.values():
        (tmp_path / name / "heart-risk-v1").mkdir(parents=True)
        (tmp_path / name / "heart-risk-v1" / "model.skops").write_bytes(b"partial")
    (tmp_path / "heart-risk-v1").mkdir()                                # a finished bundle beside them
    assert owner_of_temp(names["live"], EXPORT_TEMP_PREFIX) == me
    stale = [tmp_path / names["dead"], tmp_path / names["recycled pid"]]
    assert stale_exports(tmp_path) == sorted(stale)
    assert remove_stale_exports(tmp_path) == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [names["live"], names["other host"], names["older MLDesk"], "heart-risk-v1"])
    assert stale_exports(tmp_path / "nowhere") == [] and remove_stale_exports(tmp_path) == []


def test_an_export_names_its_temporary_folder_by_its_owner_and_the_trail_names_the_folder(exported, tmp_path,
                                                                                          monkeypatch):
    import desktop_app.core.bundles.writer as writer
    from desktop_app.core.bundles.service import EXPORT_TEMP_PREFIX
    from desktop_app.core.owners import current_owner, owner_of_temp

    project, result = exported
    seen = []
    original = writer.write_bundle

    def note_the_temporary(folder, content, progress):
        seen.append(folder.parent.name)
        return original(folder, content, progress)

    monkeypatch.setattr(writer, "write_bundle", note_the_temporary)
    monkeypatch.chdir(tmp_path)
    done = project.bundles.export("heart-risk@1", "relative/out", verify=False)
    assert done.path == tmp_path / "relative/out/heart-risk-v1"              # recorded absolute
    assert owner_of_temp(seen[0], EXPORT_TEMP_PREFIX) == current_owner()
    folders = project.bundles.export_folders()
    assert {project.bundles.default_folder, result.path.parent, tmp_path / "relative/out"} <= set(folders)


# -- zip, cancel, overwrite, runs, other algorithms -----------------------------------------------------


def test_zip_export_holds_the_same_folder(exported, tmp_path):
    project, folder_result = exported
    result = project.bundles.export("heart-risk@1", tmp_path, zip=True, verify=False)
    assert result.path == tmp_path / "heart-risk-v1.zip" and sorted(p.name for p in tmp_path.iterdir()) == [
        "heart-risk-v1.zip"]
    with zipfile.ZipFile(result.path) as archive:
        names = sorted(n.removeprefix("heart-risk-v1/") for n in archive.namelist())
        assert names == sorted(folder_result.files)
        assert archive.read("heart-risk-v1/model.skops") == (folder_result.path / "model.skops").read_bytes()
    assert project.bundles.verify(result.path, "heart-risk@1").ok


def test_a_cancelled_or_refused_export_leaves_nothing(exported, tmp_path):
    project, _ = exported
    token = CancelToken()

    seen = []

    def cancel_during_verification(fraction, message):
        seen.append(message)
        if message.startswith("Running the bundle's predict.py"):
            token.cancel()

    with pytest.raises(Cancelled):
        project.bundles.export("heart-risk", tmp_path, progress=cancel_during_verification, cancel=token)
    assert "Writing SHA256SUMS" in seen and list(tmp_path.iterdir()) == []
    (tmp_path / "heart-risk-v1").mkdir()
    with pytest.raises(BundleError, match="already exists"):
        project.bundles.export("heart-risk", tmp_path, verify=False)
    result = project.bundles.export("heart-risk", tmp_path, verify=False, overwrite=True)
    assert check_sums(result.path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["heart-risk-v1"]


def test_a_hist_gradient_boosting_run_exports_and_verifies(exported, tmp_path):
    """Native categorical splits keep functools.partial(check_array) in the model: the allow-list covers it."""
    project, _ = exported
    run = project.runs.train(RunSpec("heart", "heart_disease", "hist_gradient_boosting",
                                     params={"max_iter": 30}, seed=1))
    result = project.bundles.export(run.id[:8], tmp_path)
    assert result.path.name == f"run-{run.short_id}" and result.model == f"run {run.short_id}"
    assert result.verification.ok, result.verification.reason
    events = [e for e in project.audit_events(run.id) if e.action == "model.export"]
    assert events and events[0].entity_type == "run"


def test_vendored_code_is_the_minimal_closure_with_stub_packages(exported):
    from desktop_app.core.bundles.vendor import closure

    _, result = exported
    modules = set(closure(["desktop_app.core.training.transformers"]).modules)
    assert {"desktop_app.core.training.transformers", "desktop_app.core.quality.recipe",
            "desktop_app.core.data.settings"} <= modules
    assert not {m for m in modules if m.startswith(("desktop_app.core.store", "desktop_app.core.quality.checks",
                                                    "desktop_app.core.training.pipeline"))}
    init = (result.path / "code/desktop_app/core/quality/__init__.py").read_text()
    assert "Vendored from MLDesk" in init and "import" not in init
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, 'code'); "
                           "import desktop_app.core.training.transformers as t; print(t.__file__)"],
                          cwd=result.path, env=clean_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert Path(result.path, done.stdout.strip()).resolve().is_relative_to(result.path / "code")
    assert time.perf_counter() - started < 60
