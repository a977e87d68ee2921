"""Text made safe for Qt rich text (labels with RichText, tooltips, notices, message boxes).

Names, file paths and error messages can hold `&`, `<` or `>`, which Qt would read as markup and
garble or hide; every step escapes them with `escape` here rather than with its own copy.
"""

from __future__ import annotations

import html


def escape(text: object, *, quote: bool = False) -> str:
    """`text` (any object, as `str`) with `&`, `<` and `>` escaped; `quote=True` also escapes quotes,
    for a value put inside an attribute (`<a href="…">`)."""
    return html.escape(str(text), quote=quote)
