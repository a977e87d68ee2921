"""The HTML report is one self-contained page."""

from __future__ import annotations

import re

import pandas as pd

from desktop_app.core.quality import QualityReport, render_html, run_checks


def test_report_page(planted, planted_report):
    page = render_html(planted_report, planted, "planted@1")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "3 errors" in page and "7 warnings" in page
    for title in ("Errors (3)", "Warnings (7)", "Notes ("):
        assert title in page
    assert page.index("Errors (3)") < page.index("Warnings (7)") < page.index("Notes (")
    assert page.count('class="finding') == len(planted_report.findings)
    assert page.count("<svg") >= 5  # charts are inline SVG
    assert "Suggested fix: Drop 2 rows without a target" in page
    assert "Example rows" in page and "Thresholds used" in page
    # self-contained: nothing is fetched from elsewhere
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)


def test_values_from_the_data_are_escaped():
    frame = pd.DataFrame({"<script>x</script>": ["<b>a</b>"] * 40 + [None] * 10})
    report = run_checks(frame, {})
    page = render_html(report, frame, "<evil>")
    assert "<script>x" not in page and "<b>a</b>" not in page and "<evil>" not in page
    assert "&lt;script&gt;x" in page


def test_a_report_without_findings():
    page = render_html(QualityReport([], None, rows=3, columns=1), pd.DataFrame({"a": [1, 2, 3]}), "tiny")
    assert "No problems found." in page and "no target chosen" in page
