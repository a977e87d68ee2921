"""Where files shipped with MLDesk live (no heavy imports: the welcome page reads this)."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SAMPLE_CSV = RESOURCES / "sample_data" / "heart.csv"
