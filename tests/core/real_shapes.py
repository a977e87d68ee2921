"""Small files with the shapes of real public CSV files that MLDesk once read wrong (issue 10, 7b).

Each writer returns the path and what a correct read gives, built from the same values that
were written, so the tests compare against the data, never against the reader's own output.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

YEARS = list(range(1960, 2024))
COUNTRIES = [("Aruba", "ABW"), ("Africa Eastern and Southern", "AFE"), ("Afghanistan", "AFG"),
             ("Africa Western and Central", "AFW"), ("Angola", "AGO"), ("Albania", "ALB"), ("Andorra", "AND"),
             ("Arab World", "ARB"), ("United Arab Emirates", "ARE"), ("Argentina", "ARG")]


@dataclass
class Shape:
    path: Path
    columns: list[str]
    values: dict[str, list[Any]] = field(default_factory=dict)  # column → expected values, None = missing
    skip_rows: int = 0  # rows above the table, blank ones included

    @property
    def rows(self) -> int:
        return len(next(iter(self.values.values())))


def world_bank(folder: Path, preamble: bool = True, whole_numbers: bool = False, seed: int = 1) -> Shape:
    """The World Bank's layout: a two-line preamble with blank lines, then `Country Name,…,1960,…`,
    everything quoted, empty years as "", and a trailing comma on every line."""
    rng = random.Random(seed)
    names = ["Country Name", "Country Code", "Indicator Name", "Indicator Code", *map(str, YEARS)]
    lines = ['"Data Source","World Development Indicators",', "",
             '"Last Updated Date","2024-06-28",', ""] if preamble else []
    skip = len(lines)
    lines.append(",".join(f'"{n}"' for n in names) + ",")
    values: dict[str, list[Any]] = {n: [] for n in names}
    for name, code in COUNTRIES:
        row: list[Any] = [name, code, "GDP (current US$)", "NY.GDP.MKTP.CD"]
        for year in YEARS:
            if year < 1970 or rng.random() < 0.15:
                row.append(None)  # blank years: early ones always, others now and then
            elif whole_numbers:
                row.append(rng.randint(10_000, 90_000_000))
            else:
                row.append(round(rng.uniform(1e7, 1e12), 4))
        for n, v in zip(names, row):
            values[n].append(v)
        lines.append(",".join('""' if v is None else f'"{v}"' for v in row) + ",")
    path = folder / ("API_NY.GDP.MKTP.CD.csv" if preamble else "gdp_by_year.csv")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return Shape(path, names, values, skip)


def r_write_table(folder: Path, row_names: list[str] | None = None, seed: int = 2) -> Shape:
    """R's write.table(df, sep=","): a header without a name for the row names, then rows that start
    with a quoted row name ("1", "2", … by default)."""
    rng = random.Random(seed)
    feeds = ["horsebean", "linseed", "soybean", "sunflower", "meatmeal", "casein"]
    n = 71 if row_names is None else len(row_names)
    names = [str(i) for i in range(1, n + 1)] if row_names is None else row_names
    weight = [round(rng.uniform(100, 420), 1) for _ in range(n)]
    feed = [rng.choice(feeds) for _ in range(n)]
    lines = ['"weight","feed"'] + [f'"{r}",{w},"{f}"' for r, w, f in zip(names, weight, feed)]
    path = folder / "chickwts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    values = {"weight": weight, "feed": feed}
    if row_names is not None:
        values = {"row_name": names, **values}
    return Shape(path, list(values), values)


def bls_series(folder: Path) -> Shape:
    """A statistics office download: a title, `Key:,value` notes and blank lines (4 lines of
    preamble text among 7), then `Year,Jan,…` with one row per year."""
    rng = random.Random(3)
    preamble = ["Labor Force Statistics from the Current Population Survey", "",
                "Series Id:,LNS14000000", "Seasonally Adjusted",
                'Series title:,"(Seas) Unemployment Rate, 16 years and over"', "", ""]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    years = list(range(2012, 2024))
    table = {m: [round(rng.uniform(3.5, 9.9), 1) for _ in years] for m in months}
    lines = preamble + [",".join(["Year", *months])]
    lines += [",".join([str(y), *(str(table[m][i]) for m in months)]) for i, y in enumerate(years)]
    path = folder / "SeriesReport.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return Shape(path, ["Year", *months], {"Year": years, **table}, len(preamble))
