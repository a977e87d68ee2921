"""Where files shipped with MLDesk live (no heavy imports: the welcome page reads this).

A built wheel and the standalone build carry the sample table in `desktop_app/resources/sample_data/`
(copied there by `build_guide.py`); a checkout or an editable install reads the repository's
`resources/` folder.
"""

from pathlib import Path

PACKAGED = Path(__file__).resolve().parents[1] / "resources"   # desktop_app/resources, in a built wheel
CHECKOUT = Path(__file__).resolve().parents[2] / "resources"   # the repository's resources/


def _sample_csv() -> Path:
    packaged = PACKAGED / "sample_data" / "heart.csv"
    return packaged if packaged.is_file() else CHECKOUT / "sample_data" / "heart.csv"


SAMPLE_CSV = _sample_csv()
