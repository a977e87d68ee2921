"""`mldesk register`, `models`, `export`, `predict`, `drift` as a user's script runs them.

One project (imported sample, two runs, heart-risk v1 @production) is shared by the module;
each test adds what it needs and does not rely on another test having run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from tests.cli.helpers import SAMPLE, heart_project, mldesk

CONTRACT_KEYS = {"column", "kind", "test", "statistic", "p_value", "threshold", "drifted"}


def _json(*args, check_code=0):
    return json.loads(mldesk(*args, "--json", check_code=check_code).stdout)


def _one_sentence(done):
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("mldesk: ") and done.stderr.count("\n") == 1, done.stderr


@pytest.fixture(scope="module")
def heart(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    project = heart_project(folder / "proj")
    plain = _json("train", project, "heart", "--target", "heart_disease", "--model", "logistic_regression")
    balanced = _json("train", project, "heart", "--target", "heart_disease", "--model", "logistic_regression",
                     "--class-weight", "balanced")
    registered = _json("register", project, plain["run"][:8], "--name", "heart-risk", "--alias", "production",
                       "--description", "first model", "--reason", "initial release")
    return {"folder": folder, "project": project, "plain": plain, "balanced": balanced, "registered": registered}


def _sample_rows() -> int:
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


def _rows(path: Path, **changes) -> Path:
    """A copy of the sample with `changes` (column → function of the column's text values)."""
    with open(SAMPLE, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        for column, change in changes.items():
            row[column] = change(row[column])
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_help_lists_the_new_commands():
    out = mldesk("--help").stdout
    positions = [out.index(f"    {c} ") for c in ("train", "register", "models", "export", "predict", "drift")]
    assert positions == sorted(positions)


def test_register_json(heart):
    v = heart["registered"]
    assert (v["model"], v["version"], v["label"]) == ("heart-risk", 1, "heart-risk@1")
    assert v["run"] == heart["plain"]["run"] and v["id"] and v["aliases"] == ["production"]
    assert v["dataset"] == "heart@1" and v["metrics"]["recall"] == heart["plain"]["metrics"]["recall"]
    assert v["description"] == "first model" and len(v["model_sha256"]) == 64


def test_register_refused_by_require(heart):
    project, run = heart["project"], heart["balanced"]["run"]
    done = mldesk("register", project, run, "--name", "strict", "--require", "recall>=0.9", "--require",
                  "roc_auc>=0.5", check_code=1)
    _one_sentence(done)
    assert "KPI gate" in done.stderr and "recall" in done.stderr and "0.9" in done.stderr
    assert "strict" not in [m["model"] for m in _json("models", project)["models"]]  # nothing half-made
    done = mldesk("register", project, run, "--name", "strict", "--require", "recall>>1", check_code=1)
    _one_sentence(done)
    assert "not a KPI rule" in done.stderr


def test_models_lists_aliases_versions_and_history(heart):
    project = heart["project"]
    listed = _json("models", project)["models"]
    risk = next(m for m in listed if m["model"] == "heart-risk")
    assert risk["aliases"]["production"] == 1 and risk["latest_version"] == 1 and risk["gate"] == []
    assert "production→v1" in mldesk("models", project).stdout

    detail = _json("models", project, "heart-risk")
    v1 = next(v for v in detail["versions"] if v["version"] == 1)
    assert v1["aliases"] == ["production"] and v1["run"] == heart["plain"]["run"]
    actions = [e["action"] for e in detail["history"]]
    assert {"model.create", "model.register", "model.alias"} <= set(actions)
    assert any(e["reason"] == "initial release" for e in detail["history"])
    human = mldesk("models", project, "heart-risk").stdout
    assert "History" in human and "production" in human

    done = mldesk("models", project, "nope", check_code=1)
    _one_sentence(done)
    assert "heart-risk" in done.stderr


def test_alias_moves_need_a_reason_and_gates_apply(heart):
    project = heart["project"]
    mldesk("register", project, heart["balanced"]["run"], "--name", "heart-alias", "--alias", "staging")
    mldesk("register", project, heart["plain"]["run"], "--name", "heart-alias")
    done = mldesk("models", project, "heart-alias", "--alias", "staging=2", check_code=1)
    _one_sentence(done)
    assert "reason" in done.stderr
    moved = _json("models", project, "heart-alias", "--alias", "staging=2", "--reason", "try the other one")
    assert moved["aliases"] == {"staging": 2}
    change = moved["changes"][0]   # the plain run finds far fewer of the sick: moved, with a warning
    assert {k: change[k] for k in ("change", "alias", "version")} == {"change": "alias", "alias": "staging",
                                                                       "version": 2}
    assert "heart-alias v2 is worse than v1" in change["warning"] and "recall" in change["warning"]
    event = next(e for e in moved["history"] if e["action"] == "model.alias")
    assert event["before"]["version"] == 1 and event["after"]["version"] == 2 and event["reason"] == "try the other one"

    gated = _json("models", project, "heart-alias", "--gate", "recall>=0.5", "--reason", "clinical minimum")
    assert gated["gate"] == ["recall>=0.5"]
    failing = next(v for v in gated["versions"] if v["version"] == 2)    # the plain run: low recall
    assert failing["gate"]["passed"] is False and "recall" in failing["gate"]["failures"][0]
    done = mldesk("models", project, "heart-alias", "--alias", "production=2", check_code=1)
    assert "KPI gate" in done.stderr
    done = mldesk("models", project, "heart-alias", "--archive", "2", "--reason", "fails the gate", check_code=1)
    assert "staging" in done.stderr   # v2 still holds the alias
    mldesk("models", project, "heart-alias", "--alias", "staging=1", "--reason", "back")
    archived = _json("models", project, "heart-alias", "--archive", "2", "--reason", "fails the gate")
    assert next(v for v in archived["versions"] if v["version"] == 2)["status"] == "archived"

    assert "usage" in mldesk("models", project, "heart-alias", "--alias", "staging=two", check_code=2).stderr
    assert "MODEL" in mldesk("models", project, "--archive", "1", check_code=2).stderr


def test_export_is_verified(heart):
    project, out = heart["project"], heart["folder"] / "exports"
    result = _json("export", project, "heart-risk@production", out)
    bundle = Path(result["path"])
    assert bundle == out / "heart-risk-v1" and bundle.is_dir()
    assert result["verification"]["ok"] is True and result["verification"]["reason"]
    assert {"MLmodel", "model.skops", "predict.py", "requirements.txt", "SHA256SUMS"} <= set(result["files"])
    assert all((bundle / name).is_file() for name in result["files"])
    assert result["sha256"] == hashlib.sha256((bundle / "model.skops").read_bytes()).hexdigest()
    assert result["sha256"] == heart["registered"]["model_sha256"]

    done = mldesk("export", project, "heart-risk@production", out, check_code=1)   # already there
    _one_sentence(done)
    human = mldesk("export", project, "heart-risk@1", out, "--zip", "--no-verify").stdout
    assert "heart-risk-v1.zip" in human and "MLmodel" in human and "Not verified" in human
    assert (out / "heart-risk-v1.zip").is_file()


def test_predict_to_a_file_and_to_stdout(heart):
    project, out = heart["project"], heart["folder"] / "scored.csv"
    summary = _json("predict", project, "heart-risk@production", SAMPLE, "--out", out)
    rows = _sample_rows()
    assert (summary["rows"], summary["scored"], summary["left_out"]) == (rows, rows, 0)
    assert summary["out"] == str(out) and isinstance(summary["issues"], list)
    with open(out, newline="", encoding="utf-8") as f:
        scored = list(csv.DictReader(f))
    assert len(scored) == rows and {"prediction", "proba_Yes", "age"} <= set(scored[0])
    assert list(scored[0])[0] == "row" and list(scored[0])[-1] == "flags" and scored[-1]["row"] == str(rows)

    done = mldesk("predict", project, "heart-risk", SAMPLE)
    piped = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(piped) == rows and {r["prediction"] for r in piped} <= {"Yes", "No"}
    assert [r["prediction"] for r in piped] == [r["prediction"] for r in scored]
    assert list(piped[0]) == list(scored[0])   # stdout and --out: the same columns
    assert f"Scored {rows:,}" in done.stderr   # the report goes to stderr, so stdout is only the rows

    assert "--out" in mldesk("predict", project, "heart-risk", SAMPLE, "--json", check_code=2).stderr


def test_predict_refuses_fatal_problems_unless_only_valid(heart):
    bad = _rows(heart["folder"] / "bad.csv", age=lambda v: "old" if v == "59" else v)
    expected = sum(1 for r in csv.DictReader(open(bad, encoding="utf-8")) if r["age"] != "old")
    done = mldesk("predict", heart["project"], "heart-risk", bad, check_code=1)
    _one_sentence(done)
    assert "'age'" in done.stderr and "--only-valid" in done.stderr
    assert done.stdout == ""
    summary = _json("predict", heart["project"], "heart-risk", bad, "--out", heart["folder"] / "valid.csv",
                    "--only-valid")
    assert summary["scored"] == expected and summary["left_out"] == _sample_rows() - expected
    with open(heart["folder"] / "valid.csv", newline="", encoding="utf-8") as f:
        numbers = [int(r["row"]) for r in csv.DictReader(f)]
    assert len(numbers) == expected and numbers == sorted(numbers) and numbers[-1] == _sample_rows()
    assert any(i["column"] == "age" and i["problem"] == "wrong_type" for i in summary["issues"])


def test_drift_on_the_training_data_is_none(heart):
    report = _json("drift", heart["project"], "heart-risk@production", SAMPLE)
    assert report["dataset_drift"] is False and report["share_drifted"] == 0
    assert report["columns"] and all(CONTRACT_KEYS <= set(c) for c in report["columns"])
    assert {c["column"] for c in report["columns"]} >= {"age", "weight", "gender"}
    assert report["batch"] and report["model"] == "heart-risk@1" and report["rows"] == _sample_rows()


def test_drift_on_shifted_data_exits_3(heart):
    def plus(n):
        return lambda v: str(float(v) + n) if v else v

    shifted = _rows(heart["folder"] / "shifted.csv", age=plus(20), weight=plus(30), height=plus(20),
                    sys_bp=plus(40), dia_bp=plus(30), smoke=lambda v: "Yes", gender=lambda v: "Male")
    report = _json("drift", heart["project"], "heart-risk@production", shifted, check_code=3)
    assert report["dataset_drift"] is True and report["share_drifted"] >= 0.5
    age = next(c for c in report["columns"] if c["column"] == "age")
    assert age["drifted"] is True and set(age) >= CONTRACT_KEYS
    assert age["p_value"] is None or isinstance(age["p_value"], float)
    assert isinstance(age["statistic"], float) and isinstance(age["threshold"], float)
    assert "age" in report["drifted_columns"]

    older = _rows(heart["folder"] / "older.csv", age=plus(20))   # one column: no dataset drift by default
    human = mldesk("drift", heart["project"], "heart-risk@production", older, "--name", "older")
    assert "No dataset drift" in human.stdout and "DRIFTED" in human.stdout
    mldesk("drift", heart["project"], "heart-risk@production", older, "--fail-on", "column", check_code=3)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["predict", "{project}", "nope", "{sample}"], "no model 'nope'"),
        (["export", "{project}", "heart-risk@9", "{folder}/x"], "no version 9"),
        (["drift", "{project}", "heart-risk@nope", "{sample}"], "no alias 'nope'"),
        (["drift", "{project}", "heart-risk", "{folder}/missing.csv"], "no file"),
        (["register", "{project}", "abcdef12", "--name", "x"], "no run"),
    ],
)
def test_bad_references_are_one_sentence_and_exit_1(heart, args, fragment):
    values = {"project": heart["project"], "sample": SAMPLE, "folder": heart["folder"]}
    done = mldesk(*[a.format(**values) for a in args], check_code=1)
    _one_sentence(done)
    assert fragment in done.stderr
