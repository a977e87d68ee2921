"""Three project folders and one shared folder, driven through `mldesk` as a team's scripts would.

Concurrent imports, trainings and registrations on three workstations, the same alias moved on
two of them at once: after a few rounds of `mldesk sync` every workstation shows the same
datasets, runs, model versions (the same numbers), aliases and conflict, and after
`models --resolve` on a third one the conflict is gone everywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd

from tests.cli.helpers import mldesk


def _together(*commands: list[str]) -> list[dict]:
    """Run `mldesk` commands at the same time; each must succeed and print one JSON document."""
    processes = [subprocess.Popen([sys.executable, "-m", "desktop_app.cli", *map(str, c), "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        outputs.append(json.loads(out))
    return outputs


def _csv(folder, name: str, seed: int):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=300)
    path = folder / f"{name}.csv"
    pd.DataFrame({"x": x, "z": rng.normal(size=300), "y": (x + rng.normal(0, 0.6, 300) > 0).astype(int)}
                 ).to_csv(path, index=False)
    return path


def _view(project) -> dict:
    """What a user sees of the team's work on one workstation."""
    datasets = json.loads(mldesk("datasets", project, "--json").stdout)["datasets"]
    runs = json.loads(mldesk("runs", project, "--json").stdout)
    model = json.loads(mldesk("models", project, "risk", "--json").stdout)
    return {
        "datasets": sorted((d["name"], v["version"], v["sha256"]) for d in datasets for v in d["versions"]),
        "runs": sorted((r["run"], r["status"]) for r in runs["runs"]),
        "versions": [(v["version"], v["run"], sorted(v["aliases"])) for v in model["versions"]],
        "conflicts": [(c["alias"], sorted(v["value"] for v in c["values"]), c["winner"]) for c in model["conflicts"]],
    }


def _sync_rounds(*projects, rounds: int = 3) -> None:
    for _ in range(rounds):
        for project in projects:
            mldesk("sync", project)


def test_three_workstations_through_the_cli_end_identical(tmp_path):
    a, b, c, shared = (tmp_path / n for n in ("a", "b", "c", "shared"))
    mldesk("init", a, "--name", "Team")
    mldesk("import", a, _csv(tmp_path, "base", 1), "--name", "base")
    first = json.loads(mldesk("train", a, "base", "--target", "y", "--model", "logistic_regression",
                              "--json").stdout)["run"]
    mldesk("register", a, first, "--name", "risk", "--alias", "production")
    report = json.loads(mldesk("sync", a, shared, "--json").stdout)
    assert report["published"] > 0 and report["objects_sent"] >= 2 and report["waiting"] == []
    assert json.loads(mldesk("clone", shared, b, "--json").stdout)["datasets"] == 1
    mldesk("clone", shared, c)

    _together(["import", a, _csv(tmp_path, "on_a", 2), "--name", "base"],
              ["import", b, _csv(tmp_path, "on_b", 3), "--name", "base"],
              ["import", c, _csv(tmp_path, "on_c", 4), "--name", "c_data"])
    trained = _together(["train", a, "base", "--target", "y", "--model", "logistic_regression", "--seed", "1"],
                        ["train", b, "base", "--target", "y", "--model", "logistic_regression", "--seed", "2"])
    _together(["register", a, trained[0]["run"], "--name", "risk"],
              ["register", b, trained[1]["run"], "--name", "risk"])
    _together(["models", a, "risk", "--alias", "production=2", "--reason", "A: better recall"],
              ["models", b, "risk", "--alias", "production=2", "--reason", "B: newer data"])
    _sync_rounds(a, b, c)

    views = [_view(p) for p in (a, b, c)]
    assert views[0] == views[1] == views[2]
    view = views[0]
    assert [n for n, *_ in view["versions"]] == [1, 2, 3]
    assert len(view["conflicts"]) == 1 and view["conflicts"][0][1] == [2, 3]
    status = [json.loads(mldesk("sync", p, "--status", "--json").stdout) for p in (a, b, c)]
    assert all(s["pending"] == 0 and s["waiting"] == [] and len(s["conflicts"]) == 1 for s in status)

    loser = next(n for n in (2, 3) if n != view["conflicts"][0][2])
    done = mldesk("models", c, "risk", "--resolve", f"production={loser}", "--reason", "C: decided", "--json")
    assert json.loads(done.stdout)["changes"][0]["change"] == "resolve"
    _sync_rounds(a, b, c, rounds=2)
    views = [_view(p) for p in (a, b, c)]
    assert views[0] == views[1] == views[2] and views[0]["conflicts"] == []
    assert next(aliases for n, _, aliases in views[0]["versions"] if n == loser) == ["production"]
    for project in (a, b, c):
        assert mldesk("audit", "verify", project).returncode == 0


def test_sync_refuses_what_it_cannot_use_in_one_sentence(tmp_path):
    mldesk("init", tmp_path / "a")
    mldesk("init", tmp_path / "other")
    mldesk("sync", tmp_path / "other", tmp_path / "their_shared")
    not_linked = mldesk("sync", tmp_path / "a", check_code=1)
    assert "not linked to a shared folder" in not_linked.stderr
    another = mldesk("sync", tmp_path / "a", tmp_path / "their_shared", check_code=1)
    assert "belongs to another project" in another.stderr
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("x")
    assert "already holds other files" in mldesk("sync", tmp_path / "a", tmp_path / "busy", check_code=1).stderr
    assert "not an MLDesk shared folder" in mldesk("clone", tmp_path / "busy", tmp_path / "b", check_code=1).stderr
    unplugged = mldesk("sync", tmp_path / "a", tmp_path / "no_drive" / "team", check_code=1)
    assert "connect the drive" in unplugged.stderr and not (tmp_path / "no_drive").exists()
    for done in (not_linked, another):
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
