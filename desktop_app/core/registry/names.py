"""Model and alias names.

A model name is trimmed, 1–200 characters: letters, digits, spaces, '.', '-' and '_',
starting with a letter or digit ('@' is reserved for `name@3` / `name@production`).
An alias is 1–100 lowercase letters, digits, '-' and '_', not all digits (so `name@3`
always means version 3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from desktop_app.core.registry.errors import InvalidNameError

MAX_MODEL_NAME = 200
MAX_ALIAS = 100
_MODEL_NAME = re.compile(r"^[^\W_][\w .-]*$")
_ALIAS = re.compile(r"^[a-z0-9_-]+$")


def clean_model_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidNameError("The model name is empty; give the model a name, e.g. heart-risk.")
    if len(name) > MAX_MODEL_NAME:
        raise InvalidNameError(f"The model name is longer than {MAX_MODEL_NAME} characters; choose a shorter name.")
    if not _MODEL_NAME.match(name):
        raise InvalidNameError(f"The model name '{name}' holds characters MLDesk does not allow; use letters, "
                               "digits, spaces, '.', '-' and '_', starting with a letter or digit.")
    return name


def clean_alias(alias: str) -> str:
    alias = (alias or "").strip()
    if not alias:
        raise InvalidNameError("The alias is empty; give one such as production or staging.")
    if len(alias) > MAX_ALIAS:
        raise InvalidNameError(f"The alias is longer than {MAX_ALIAS} characters; choose a shorter one.")
    if not _ALIAS.match(alias):
        raise InvalidNameError(f"The alias '{alias}' is not allowed; use lowercase letters, digits, '-' and '_' "
                               "(e.g. production).")
    if alias.isdigit():
        raise InvalidNameError(f"The alias '{alias}' is all digits, which reads as a version number; "
                               "choose a name such as production.")
    return alias


def clean_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    """Tags as {non-empty trimmed key: text value}."""
    out: dict[str, str] = {}
    for key, value in (tags or {}).items():
        key = str(key).strip()
        if not key:
            raise InvalidNameError("A tag has an empty name; give every tag a name.")
        out[key] = "" if value is None else str(value)
    return out
