"""Pipeline definitions as TOML files a team can read, review and keep beside its code.

    text = dumps(definition)      # `mldesk pipeline show PROJECT NAME --toml > monthly.toml`
    definition = loads(text)      # `mldesk pipeline save PROJECT NAME --file monthly.toml`

TOML has no null: a setting that is None is left out, and reading it back gives its default
(which is None wherever MLDesk writes one). Reading refuses a file that is not TOML, or not a
definition, with the line or the field that is wrong.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from desktop_app.core.pipelines.definition import PipelineDefinition, from_dict, to_dict
from desktop_app.core.pipelines.errors import PipelineDefinitionError

HEADER = ("# An MLDesk pipeline. Review it, change it, and save it back with\n"
          "#   mldesk pipeline save PROJECT {name} --file THIS_FILE\n"
          "# Steps run in this order when their section is here: import (source), fix (recipe), check (quality),\n"
          "# drift, score (scoring), train (training), promote (promotion), export.\n\n")


def dumps(definition: PipelineDefinition) -> str:
    import tomli_w

    document = _without_none(to_dict(definition))
    return HEADER.format(name=definition.name) + tomli_w.dumps(document, multiline_strings=False)


def write(definition: PipelineDefinition, path: str | os.PathLike) -> Path:
    """Write the definition's TOML to `path` through a temporary file: a reader never sees half of it."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(dumps(definition), encoding="utf-8")
    os.replace(temporary, path)
    return path


def loads(text: str, name: str | None = None) -> PipelineDefinition:
    """A definition from TOML text; `name` (when given) replaces the name the file holds."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PipelineDefinitionError(f"The pipeline file is not valid TOML ({exc}); fix it and save again.") from None
    if name is not None:
        data["name"] = name
    return from_dict(data)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value if v is not None]
    return value
