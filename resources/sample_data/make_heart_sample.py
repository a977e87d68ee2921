"""Generate the synthetic heart-disease sample data shipped with MLDesk.

The rows are made up: no real person is behind any of them. They imitate the
shape of the well-known "key indicators of heart disease" / cardiovascular
disease example tables: a dozen patient attributes and a rare Yes/No target
(about 8% "Yes"), with plausible relationships between the columns.

    python resources/sample_data/make_heart_sample.py                 # the shipped heart.csv
    python resources/sample_data/make_heart_sample.py --rows 1000000 --wide --out /tmp/big.csv

Everything is vectorised numpy, so a million rows take a few seconds. The same
--rows/--seed/--wide always give byte-identical output. The extra --wide
columns come from their own random stream, so the first twelve columns of a
wide file are the same as those of a narrow file with the same rows and seed.

Run with --check to fit the plain and the class-weighted logistic regression
the sample project tells its story with, and print their recall and ROC AUC.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "heart.csv"

COLUMNS = [
    "age",
    "gender",
    "weight",
    "height",
    "smoke",
    "alcohol",
    "phys_active",
    "cholesterol",
    "sys_bp",
    "dia_bp",
    "diabetes",
    "heart_disease",
]
WIDE_COLUMNS = [
    "region",
    "income",
    "bmi",
    "visits",
    "last_visit",
    "employment",
    "notes",
    "record_id",
]
TARGET = "heart_disease"
CHOLESTEROL_LEVELS = ["normal", "above normal", "well above normal"]

# Share of "Yes" in the target; the logistic intercept is solved for it on each run.
TARGET_SHARE = 0.08
# Share of cells left empty, completely at random, in these columns only.
MISSING_SHARE = {"weight": 0.015, "cholesterol": 0.012, "phys_active": 0.018}

# Log-odds of heart disease per unit of each risk factor. The scale is chosen so
# that a plain logistic regression reaches a ROC AUC of about 0.8: most people
# stay well under a 50% risk, so an unweighted model almost never says "Yes".
RISK = {
    "age_per_year": 0.060,
    "sys_bp_per_mmhg": 0.020,
    "cholesterol_above": 0.45,
    "cholesterol_well_above": 0.90,
    "smoke": 0.60,
    "diabetes": 0.65,
    "bmi_per_unit": 0.035,
    "inactive": 0.40,
    "male": 0.30,
    "alcohol": 0.15,
}

REGIONS = [
    "North", "North East", "East", "South East", "South", "South West",
    "West", "North West", "Central", "Capital", "Highlands", "Islands",
]
REGION_WEIGHTS = [0.09, 0.07, 0.10, 0.12, 0.08, 0.07, 0.06, 0.09, 0.11, 0.14, 0.03, 0.04]
EMPLOYMENT = ["Employed", "Self-employed", "Unemployed", "Homemaker", "Student", "Retired"]
NOTE_OPENERS = [
    "routine check-up", "annual review", "follow-up visit", "walk-in visit",
    "telehealth call", "medication review", "lab results discussed", "new patient intake",
]
NOTE_DETAILS = [
    "", "; no complaints", "; advised more exercise", "; diet discussed",
    "; repeat labs in 6 months", "; BP rechecked", "; sleep issues reported",
    "; vaccination given", "; prescription renewed", "; smoking cessation discussed",
]


def _categorical(codes: np.ndarray, categories) -> pd.Categorical:
    # Built from integer codes: far faster than millions of Python strings.
    return pd.Categorical.from_codes(codes, categories=list(categories))


def _yes_no(flags: np.ndarray) -> pd.Categorical:
    return _categorical(flags.astype(np.int8), ["No", "Yes"])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _solve_intercept(linear: np.ndarray, share: float) -> float:
    """The intercept b for which mean(sigmoid(b + linear)) == share (bisection)."""
    lo, hi = -30.0, 30.0
    for _ in range(45):
        mid = (lo + hi) / 2
        if _sigmoid(mid + linear).mean() < share:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def generate(rows: int, seed: int = 42, wide: bool = False) -> pd.DataFrame:
    """The sample table as a DataFrame (see the module docstring)."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    base_seq, wide_seq = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(base_seq)
    n = rows

    male = rng.random(n) < 0.48
    # Ages 30-79, a little heavier in the middle decades.
    age = 30 + np.floor(50 * rng.beta(1.4, 1.25, n)).astype(np.int64)
    age = np.clip(age, 30, 79)

    # Height depends on gender and shrinks a little in old age.
    height = np.where(male, rng.normal(176.0, 7.0, n), rng.normal(162.5, 6.5, n))
    height -= np.clip(age - 55, 0, None) * 0.08
    height = np.clip(np.rint(height), 145, 205).astype(np.int64)

    # Body mass index: rises into the sixties, right-skewed; weight follows from it.
    bmi = 26.8 + 0.05 * (age - 50) - 0.0018 * np.clip(age - 62, 0, None) ** 2
    bmi = bmi + np.where(male, 0.4, -0.2)
    bmi = bmi * np.exp(rng.normal(0.0, 0.16, n))
    bmi = np.clip(bmi, 16.0, 55.0)
    weight = np.clip(np.round(bmi * (height / 100.0) ** 2, 1), 38.0, 200.0)
    bmi = weight / (height / 100.0) ** 2

    # Habits: men smoke and drink more, smokers drink more, the young smoke more.
    smoke = rng.random(n) < np.where(male, 0.21, 0.14) * (1.25 - 0.01 * (age - 30))
    alcohol = rng.random(n) < np.where(male, 0.08, 0.045) * np.where(smoke, 1.8, 1.0)
    active_p = _sigmoid(1.6 - 0.025 * (age - 50) - 0.07 * (bmi - 27) - 0.3 * smoke)
    active = rng.random(n) < active_p

    # Cholesterol: an ordered latent score cut into three levels (~73/14/13%).
    chol_score = (0.025 * (age - 55) + 0.05 * (bmi - 27) + 0.2 * ~active
                  + rng.normal(0.0, 1.0, n))
    cholesterol_idx = np.digitize(chol_score, [0.75, 1.25])

    # Diabetes: age, weight and inactivity.
    diabetes = rng.random(n) < _sigmoid(-2.7 + 0.045 * (age - 55) + 0.13 * (bmi - 27) + 0.4 * ~active)

    # Blood pressure rises with age and weight; diastolic stays below systolic.
    sys_bp = (112.0 + 0.55 * (age - 40) + 0.35 * (weight - 75.0) + 4.0 * male + 5.0 * diabetes
              + 3.0 * alcohol + rng.normal(0.0, 13.0, n))
    sys_bp = np.clip(np.rint(sys_bp), 85, 230).astype(np.int64)
    dia_bp = 0.45 * sys_bp + 20.0 + 0.15 * (weight - 75.0) + rng.normal(0.0, 6.5, n)
    dia_bp = np.clip(np.rint(dia_bp), 45, 140).astype(np.int64)
    dia_bp = np.minimum(dia_bp, sys_bp - 15)

    # The target: a logistic model of the true (not yet blanked) values.
    linear = (
        RISK["age_per_year"] * (age - 55)
        + RISK["sys_bp_per_mmhg"] * (sys_bp - 130)
        + RISK["cholesterol_above"] * (cholesterol_idx == 1)
        + RISK["cholesterol_well_above"] * (cholesterol_idx == 2)
        + RISK["smoke"] * smoke
        + RISK["diabetes"] * diabetes
        + RISK["bmi_per_unit"] * (bmi - 27)
        + RISK["inactive"] * ~active
        + RISK["male"] * male
        + RISK["alcohol"] * alcohol
    )
    intercept = _solve_intercept(linear, TARGET_SHARE)
    heart_disease = rng.random(n) < _sigmoid(intercept + linear)

    frame = pd.DataFrame({
        "age": age,
        "gender": _categorical(male.astype(np.int8), ["Female", "Male"]),
        "weight": weight,
        "height": height,
        "smoke": _yes_no(smoke),
        "alcohol": _yes_no(alcohol),
        "phys_active": _yes_no(active),
        "cholesterol": _categorical(cholesterol_idx, CHOLESTEROL_LEVELS),
        "sys_bp": sys_bp,
        "dia_bp": dia_bp,
        "diabetes": _yes_no(diabetes),
        "heart_disease": _yes_no(heart_disease),
    })

    # A few cells missing completely at random (never in the target).
    for column, share in MISSING_SHARE.items():
        blank = rng.random(n) < share
        frame[column] = frame[column].where(~blank)

    if wide:
        extra = _wide_columns(np.random.default_rng(wide_seq), age, male, diabetes, frame["weight"].to_numpy(), height)
        frame = pd.concat([frame, extra], axis=1)
    return frame


def _wide_columns(rng: np.random.Generator, age, male, diabetes, weight, height) -> pd.DataFrame:
    """Eight more mixed-type columns, for benchmarks on wide tables."""
    n = len(age)
    region = _categorical(rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS), REGIONS)

    # Employment: retirement becomes likely from the early sixties.
    retired = rng.random(n) < _sigmoid((age - 64.0) / 2.5)
    working = rng.choice(5, size=n, p=[0.70, 0.12, 0.07, 0.08, 0.03])
    working = np.where((working == 4) & (age > 45), 0, working)  # few late-life students
    employment = _categorical(np.where(retired, 5, working), EMPLOYMENT)

    # Annual income: log-normal, peaks in mid-career, lower when not working.
    log_income = 10.45 + 0.02 * (age - 30) - 0.0005 * (age - 30) ** 2 + 0.08 * male
    not_working = np.select([working == 2, working == 3, working == 4], [-1.1, -1.6, -1.4], 0.0)
    log_income += np.where(retired, -0.5, not_working)
    income = np.round(np.exp(log_income + rng.normal(0.0, 0.45, n)), 2)

    bmi = np.round(weight / (height / 100.0) ** 2, 1)  # empty where weight is empty

    visits = rng.poisson(1.5 + 0.04 * (age - 30) + 2.0 * diabetes)

    first_day = np.datetime64("2022-01-01")
    span = int((np.datetime64("2025-01-01") - first_day).astype(int))
    days = np.datetime_as_string(first_day + np.arange(span).astype("timedelta64[D]"), unit="D")
    last_visit = _categorical(rng.integers(0, span, n), days)

    # Short free text: an opener plus an optional detail.
    phrases = [a + b for a in NOTE_OPENERS for b in NOTE_DETAILS]
    note_codes = rng.integers(0, len(NOTE_OPENERS), n) * len(NOTE_DETAILS) + rng.integers(0, len(NOTE_DETAILS), n)
    notes = _categorical(note_codes, phrases)

    # Unique ids in shuffled order, so the file is not sorted by them.
    ids = rng.permutation(n) + 100001
    record_id = np.array([f"HD-{i:07d}" for i in ids.tolist()], dtype=object)

    return pd.DataFrame({
        "region": region,
        "income": income,
        "bmi": bmi,
        "visits": visits.astype(np.int64),
        "last_visit": last_visit,
        "employment": employment,
        "notes": notes,
        "record_id": record_id,
    })


def write_csv(frame: pd.DataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    # pandas writes plain object columns faster than many categorical blocks.
    frame = frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})
    # Fixed newline so the bytes are the same on every platform.
    frame.to_csv(out, index=False, lineterminator="\n")


def check(frame: pd.DataFrame, seed: int = 42) -> dict[str, float]:
    """Recall on "Yes" for a plain and a class-weighted logistic regression, and ROC AUC.

    One-hot encoding + scaling (empty cells imputed first), stratified 75/25 split.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import recall_score, roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    features = frame[COLUMNS].drop(columns=TARGET)
    y = (frame[TARGET] == "Yes").astype(int).to_numpy()
    numeric = [c for c in features.columns if pd.api.types.is_numeric_dtype(features[c])]
    categorical = [c for c in features.columns if c not in numeric]
    features = features.astype({c: object for c in categorical})
    x_train, x_test, y_train, y_test = train_test_split(
        features, y, test_size=0.25, stratify=y, random_state=seed
    )
    results: dict[str, float] = {}
    for name, weight in (("plain", None), ("balanced", "balanced")):
        prep = ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                  OneHotEncoder(handle_unknown="ignore")), categorical),
        ])
        model = make_pipeline(prep, LogisticRegression(max_iter=1000, class_weight=weight))
        model.fit(x_train, y_train)
        results[f"recall_{name}"] = float(recall_score(y_test, model.predict(x_test)))
        results[f"auc_{name}"] = float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))
    return results


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Generate the synthetic heart-disease sample CSV.")
    parser.add_argument("--rows", type=int, default=5000, help="number of rows (default 5000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output CSV (default {DEFAULT_OUT})")
    parser.add_argument("--wide", action="store_true",
                        help=f"add 8 extra mixed columns ({', '.join(WIDE_COLUMNS)})")
    parser.add_argument("--check", action="store_true",
                        help="also fit plain and balanced logistic regressions and print recall / ROC AUC")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.rows < 1:
        build_parser().error("--rows must be at least 1")
    if args.seed < 0:
        build_parser().error("--seed must not be negative")
    started = time.perf_counter()
    frame = generate(args.rows, seed=args.seed, wide=args.wide)
    write_csv(frame, args.out)
    seconds = time.perf_counter() - started
    share = (frame[TARGET] == "Yes").mean()
    size_kb = args.out.stat().st_size / 1024
    print(f"wrote {args.out}: {len(frame):,} rows x {frame.shape[1]} columns, "
          f"{size_kb:,.0f} KB, heart_disease Yes {share:.2%}, {seconds:.2f} s")
    if args.check:
        r = check(frame, seed=args.seed)
        print(f"recall on Yes: plain {r['recall_plain']:.1%}, balanced {r['recall_balanced']:.1%}; "
              f"ROC AUC plain {r['auc_plain']:.3f}, balanced {r['auc_balanced']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
