"""`mldesk explain` and `mldesk dossier`: why a model version predicts what it does, and the one document a
reviewer reads before it goes live."""

from __future__ import annotations

import argparse

from desktop_app.cli.common import (
    EXIT_OK,
    add_json_flag,
    input_file,
    open_project,
    output_file,
    print_json,
    stderr_progress,
    whole_number,
    write_failed,
)

SPACES = {"log_odds": "log-odds", "probability": "probability", "raw_score": "raw score", "value": "prediction"}
SHOWN = 4   # columns named per row in the human output; the rest are summed


def cmd_explain(args: argparse.Namespace) -> int:
    input_file(args.file, "FILE")
    with open_project(args.project) as project:
        result = project.explain.explain(args.model, args.file, rows=args.rows, progress=stderr_progress())
    if args.json:
        print_json(result.to_dict())
        return EXIT_OK
    e = result.explanation
    space = SPACES[e.output_space]
    base = "its class's base value" if e.per_class_base else f"the base value {e.base_value:.4g}"
    print(f"{result.model}: each row's {space} = {base} (the training rows' average) + each column's contribution")
    for i in range(len(e.outputs)):
        top = e.top(i, SHOWN)
        rest = float(e.contributions[i].sum()) - sum(v for _, v in top)
        parts = " ".join(f"{name} {value:+.3g}" for name, value in top)
        others = f" others {rest:+.3g}" if len(e.features) > SHOWN else ""
        label = f" ({e.classes[i]})" if e.classes else ""
        print(f"  row {i + 1}: {space}{label} {e.outputs[i]:.4g} = {e.base_values[i]:.4g} {parts}{others}")
    if result.rows_left_out:
        print(f"  {result.rows_left_out:,} rows the model cannot read were left out (`mldesk predict` says why).")
    if result.importance:
        ranked = sorted(result.importance.items(), key=lambda item: -item[1])[:SHOWN + 2]
        metric = f" ({result.importance_metric} drop when shuffled)" if result.importance_metric else ""
        print(f"Overall importance{metric}: " + ", ".join(
            f"{name} {value:.3g} ± {result.importance_spread.get(name, 0):.2g}" for name, value in ranked))
    return EXIT_OK


def cmd_dossier(args: argparse.Namespace) -> int:
    html_path = output_file(args.out, "OUT.html", "dossier.html")
    pdf_path = output_file(args.pdf, "--pdf", "dossier.pdf") if args.pdf else None
    with open_project(args.project) as project:
        dossier = project.dossier.gather(args.model, progress=stderr_progress())
    from desktop_app.core.dossier.html import SECTIONS, render

    html = render(dossier)
    try:
        html_path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise write_failed(html_path, exc, f"The dossier of {dossier.model} was made") from None
    pages = None
    if pdf_path is not None:
        from desktop_app.ui.dossier_pdf import write_pdf

        try:
            pages = write_pdf(html, pdf_path)
        except OSError as exc:
            raise write_failed(pdf_path, exc, f"The dossier of {dossier.model} was written to {html_path}") from None
    if args.json:
        print_json({"model": dossier.model, "html": str(html_path), "pdf": str(pdf_path) if pdf_path else None,
                    "pages": pages, "sections": [key for key, _ in SECTIONS], "seconds": round(dossier.seconds, 3)})
    else:
        pdf = f" and {pdf_path} ({pages} pages)" if pdf_path else ""
        print(f"Dossier of {dossier.model} written to {html_path}{pdf}.")
    return EXIT_OK


def add_commands(command) -> None:
    explain = command("explain", cmd_explain, "explain a model version's predictions row by row (contributions that "
                                              "add up to its output)")
    explain.add_argument("project", metavar="PROJECT")
    explain.add_argument("model", metavar="MODEL[@N|@ALIAS]")
    explain.add_argument("file", metavar="FILE", help="the rows to explain (CSV, Excel or Parquet)")
    explain.add_argument("--rows", type=whole_number(1, what="the number of rows"), default=10, metavar="K",
                         help="explain the first K rows the model can read (default 10)")
    add_json_flag(explain)

    dossier = command("dossier", cmd_dossier, "write one self-contained document about a model version: card, "
                                              "lineage, quality, training, metrics, explanation, fairness, gate, "
                                              "approvals, drift, bundle")
    dossier.add_argument("project", metavar="PROJECT")
    dossier.add_argument("model", metavar="MODEL[@N|@ALIAS]")
    dossier.add_argument("out", metavar="OUT.html", help="the HTML file to write (styles and charts inside)")
    dossier.add_argument("--pdf", metavar="OUT.pdf", help="also print it to PDF (Qt's printing, no browser)")
    add_json_flag(dossier)
