"""Where files shipped with MLDesk live (no heavy imports: the welcome page reads this).

A built wheel carries the sample table in `desktop_app/resources/sample_data/` (copied there by
`build_guide.py` when the wheel is built); a checkout or an editable install reads the repository's
`resources/` folder, and a PyInstaller build carries that folder beside the package.
"""

from pathlib import Path

PACKAGED = Path(__file__).resolve().parents[1] / "resources"   # desktop_app/resources, in a built wheel
CHECKOUT = Path(__file__).resolve().parents[2] / "resources"   # the repository's (or the frozen build's) resources/


def _sample_csv() -> Path:
    packaged = PACKAGED / "sample_data" / "heart.csv"
    return packaged if packaged.is_file() else CHECKOUT / "sample_data" / "heart.csv"


SAMPLE_CSV = _sample_csv()
