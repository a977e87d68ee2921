"""The dossier as one self-contained HTML page: styles inline, charts as inline SVG, nothing fetched.

Sections, in order, each an <h2 id=…> a test and a reader can find: card, lineage, quality, training,
performance, explanation, fairness, gate, trail, drift, bundle.
"""

from __future__ import annotations

from html import escape
from typing import Any

from desktop_app.core.dossier.charts import explanation_charts, lines
from desktop_app.core.dossier.service import Dossier

SECTIONS = (("card", "Model card"), ("lineage", "Data lineage"), ("quality", "Data quality and fixes"),
            ("training", "Training setup"), ("performance", "Performance on held-out rows"),
            ("explanation", "Explanation"), ("fairness", "Fairness"), ("gate", "KPI gate"),
            ("trail", "Approval trail"), ("drift", "Drift since registration"), ("bundle", "Exported bundle"))
STYLE = """
body { font-family: sans-serif; font-size: 13px; color: #1f2328; max-width: 980px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 2px; } h2 { font-size: 17px; border-bottom: 1px solid #dde3e9;
padding-bottom: 3px; margin-top: 26px; } table { border-collapse: collapse; margin: 6px 0; }
td, th { border: 1px solid #dde3e9; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; } .hint { color: #5f6670; } .ok { color: #2e7d32; } .bad { color: #c62828; }
code { font-size: 12px; } .charts svg { margin: 4px 10px 4px 0; }
"""


def _e(value: Any) -> str:
    return escape("—" if value is None or value == "" else str(value))


def _n(value: Any) -> str:
    return _e(f"{value:.4g}" if isinstance(value, float) else value)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_n(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _pairs(pairs: list[tuple[str, Any]]) -> str:
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_n(v)}</td></tr>" for k, v in pairs) + "</table>"


def render(dossier: Dossier) -> str:
    s = dossier.sections
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Dossier {_e(dossier.model)}</title>"
             f"<style>{STYLE}</style></head><body>",
             f"<h1>Dossier of {_e(dossier.model)}</h1><p class='hint'>Made by MLDesk on {_e(dossier.made_at)} UTC "
             "from the project's records. Contents: " + ", ".join(
                 f"<a href='#{key}'>{escape(title)}</a>" for key, title in SECTIONS) + ".</p>"]
    for key, title in SECTIONS:
        parts.append(f"<h2 id='{key}'>{escape(title)}</h2>")
        parts.append(RENDER[key](s))
    parts.append("</body></html>")
    return "".join(parts)


def _card(s: dict) -> str:
    c = s["card"]
    missing = [n.replace("_", " ") for n in ("intended_use", "owner", "limitations") if not c[n]]
    note = (f"<p class='hint'>Not written yet: {', '.join(missing)} — add them as the model's tags intended_use, "
            "owner and limitations (Registry → Overview).</p>" if missing else "")
    card = _pairs([("Model", c["label"]), ("Aliases", ", ".join(c["aliases"]) or "none"), ("Status", c["status"]),
                   ("What it is", c["description"]), ("Intended use", c["intended_use"]), ("Owner", c["owner"]),
                   ("Limitations", c["limitations"]), ("Predicts", f"{c['target']} ({c['task']})"),
                   ("Algorithm", c["algorithm"]), ("Registered", f"{c['registered_at']} by {c['registered_by']}")])
    return card + note


def _lineage(s: dict) -> str:
    lin = s["lineage"]
    rows = [[link["label"], link.get("rows"), link.get("columns"), link.get("sha256"),
             "; ".join(str(step.get("op", step)) if isinstance(step, dict) else str(step)
                       for step in link.get("steps") or []) or "imported"]
            for link in lin["chain"]]
    return (f"<p>Imported from <b>{_e(lin['source_name'])}</b> (sha256 <code>{_e(lin['source_sha256'])}</code>); "
            f"trained on <b>{_e(lin['trained_on'])}</b> (sha256 <code>{_e(lin['trained_on_sha256'])}</code>).</p>"
            + _table(["Dataset version", "Rows", "Columns", "SHA-256", "Made by"], rows))


def _quality(s: dict) -> str:
    q = s["quality"]
    fixes = s["fixes"]
    fixed = ("<p>Fixes applied: " + "; ".join(_e(f.get("op", f)) if isinstance(f, dict) else _e(f) for f in fixes)
             + ".</p>") if fixes else "<p>No fixes were applied: the model learned from the data as imported.</p>"
    if q is None:
        return "<p class='hint'>The data it was trained on has no quality report.</p>" + fixed
    rows = [[f["severity"], f["check"], f["column"], f["message"]] for f in q["findings"]]
    return (f"<p>{_e(q['dataset'])}, checked {_e(q['checked_at'])}: {_e(q['summary']['text'])}.</p>"
            + (_table(["Severity", "Check", "Column", "Finding"], rows) if rows else "") + fixed)


def _training(s: dict) -> str:
    t = s["training"]
    env = t["environment"]
    libraries = ", ".join(f"{k} {v}" for k, v in (env.get("libraries") or {}).items() if v)
    return (_pairs([("Run", t["run"]), ("Experiment", t["experiment"]), ("Algorithm", t["algorithm"]),
                    ("Parameters", ", ".join(f"{k}={v}" for k, v in t["params"].items())), ("Seed", t["seed"]),
                    ("Options", ", ".join(f"{k}={v}" for k, v in t["options"].items())),
                    ("Rows", f"{t['n_train']} training, {t['n_test']} held out"),
                    ("Environment", f"Python {env.get('python', '?')} on {env.get('platform', '?')}; {libraries}")])
            + "<p>Pipeline:</p><ol>" + "".join(f"<li>{_e(step)}</li>" for step in t["pipeline"]) + "</ol>")


def _performance(s: dict) -> str:
    p = s["performance"]
    rows = [[name, value, p["cv_metrics"].get(f"cv_{name}_mean")] for name, value in p["metrics"].items()
            if not name.endswith(("_gap", "_ratio", "_difference"))]
    chart = ""
    if p["roc"]:
        chart = "<div class='charts'>" + lines("ROC curve (held-out rows)", [("", p["roc"]["fpr"], p["roc"]["tpr"])],
                                               "false-positive rate", "true-positive rate", diagonal=True) + "</div>"
    threshold = f"<p>Decision threshold: {_n(p['threshold'])}.</p>" if p["threshold"] is not None else ""
    positive = f"<p>Positive class: {_e(p['positive_label'])}.</p>" if p["positive_label"] is not None else ""
    return _table(["Metric", "Held-out rows", "Cross-validation mean"], rows) + positive + threshold + chart


def _explanation(s: dict) -> str:
    x = s["explanation"]
    charts = explanation_charts(x["importance"], x["metric"], x["dependence"])
    return ("<p class='hint'>How much each column matters (shuffling it on the held-out rows lowers the score by "
            "this much), and how the model's answer moves with the most important ones (the average over a "
            "sample of training rows; grey: single rows).</p><div class='charts'>" + "".join(charts) + "</div>"
            f"<p>{_e(x['per_row'])}</p>")


def _fairness(s: dict) -> str:
    f = s["fairness"]
    if not f["groups"]:
        return ("<p class='hint'>Not audited: the run was trained without a sensitive column "
                "(`mldesk train … --sensitive COLUMN`).</p>")
    out = []
    for column, groups in f["groups"].items():
        used = "the model learned from it" if f["used_by_model"] else "left out of the model's features"
        out.append(f"<p>Groups of <b>{_e(column)}</b> ({used}), on the held-out rows:</p>")
        names = ["count", "selection_rate", "recall", "fpr", "precision", "roc_auc"]
        out.append(_table(["Group", *names], [[g, *[m.get(n) for n in names]] for g, m in groups.items()]))
    out.append(_pairs([(k.replace("_", " "), v) for k, v in f["gaps"].items()]))
    return "".join(out)


def _gate(s: dict) -> str:
    g = s["gate"]
    if not g["rules"]:
        return "<p class='hint'>The model has no KPI gate.</p>"
    verdict = ("<p class='ok'>Passes every rule.</p>" if not g["failures"] else
               "<p class='bad'>Fails: " + "; ".join(_e(x) for x in g["failures"]) + "</p>")
    return f"<p>Rules: {_e(', '.join(g['rules']))}.</p>{verdict}"


def _trail(s: dict) -> str:
    rows = [[e["at"], f"{e['user']}@{e['host']}", e["action"], _change(e), e["reason"]] for e in s["trail"]]
    audit = s["audit"]
    mark = "ok" if audit["intact"] else "bad"
    return (f"<p class='{mark}'>{_e(audit['summary'])}</p>"
            + _table(["When (UTC)", "Who", "What", "Change", "Why"], rows))


def _change(event: dict) -> str:
    before, after = event.get("before") or {}, event.get("after") or {}
    keys = [k for k in ("version", "alias", "rules", "status", "dataset", "path") if k in after or k in before]
    return "; ".join(f"{k}: {before.get(k, '—')} → {after.get(k, '—')}" if k in before else f"{k}: {after.get(k)}"
                     for k in keys)


def _drift(s: dict) -> str:
    batches = s["drift"]
    if not batches:
        return "<p class='hint'>No batch of new rows has been checked against this version yet.</p>"
    rows = [[b["at"], b["name"], b["rows"], f"{b['share_drifted']:.0%}", "yes" if b["dataset_drift"] else "no",
             ", ".join(b["drifted_columns"]) or "none"] for b in batches]
    chart = lines("Share of drifted columns per batch", [("", list(range(1, len(batches) + 1)),
                                                         [b["share_drifted"] for b in batches])],
                  "batch", "share drifted") if len(batches) > 1 else ""
    return _table(["When (UTC)", "Batch", "Rows", "Columns drifted", "Dataset drift", "Which"], rows) + \
        f"<div class='charts'>{chart}</div>"


def _bundle(s: dict) -> str:
    b = s["bundle"]
    if b is None:
        return "<p class='hint'>This version has not been exported.</p>"
    where = "" if b["present"] else " (no longer at that place)"
    files = _table(["File in the bundle", "Bytes"], b["files"]) if b["files"] else ""
    return (_pairs([("Exported", f"{b['at']} by {b['by']}"), ("Where", f"{b['path']}{where}"),
                    ("Model file SHA-256", b["model_sha256"]), ("SHA256SUMS SHA-256", b["sums_sha256"])]) + files)


RENDER = {"card": _card, "lineage": _lineage, "quality": _quality, "training": _training, "performance": _performance,
          "explanation": _explanation, "fairness": _fairness, "gate": _gate, "trail": _trail, "drift": _drift,
          "bundle": _bundle}
