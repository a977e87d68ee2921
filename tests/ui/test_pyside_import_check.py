"""PySide6's look at each new module, answered from the file's bytes (ui/pyside_import_check.py): the same
answers as PySide6's own look, for every module loaded and for new ones."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest

from desktop_app.ui import pyside_import_check


@pytest.fixture
def feature() -> ModuleType:
    assert pyside_import_check.speed_up()   # the PySide6 this app pins has the look
    return sys.modules["shibokensupport.feature"]


def test_the_same_answer_as_pyside6_for_every_module_loaded(feature):
    quick = feature._mod_uses_pyside
    own = quick.__wrapped__
    modules = [m for m in list(sys.modules.values()) if isinstance(m, ModuleType)]
    assert len(modules) > 300
    answers = {m.__name__: quick(m) for m in modules}
    assert {m.__name__: own(m) for m in modules} == answers
    assert answers["desktop_app.ui.app"] is True and answers["json"] is False


def test_new_modules_are_recorded_as_pyside6_records_them(feature, tmp_path, monkeypatch):
    files = {"mldesk_probe_qt": b"from PySide6 import QtCore\n",
             "mldesk_probe_plain": b"VALUE = 1\n",
             "mldesk_probe_latin": "# -*- coding: latin-1 -*-\n# café\nimport PySide6\n".encode("latin-1")}
    for name, text in files.items():
        (tmp_path / f"{name}.py").write_bytes(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        for name in files:
            __import__(name)   # an import statement's way: PySide6 stands in for __import__, not importlib
        recorded = {name: feature.pyside_feature_dict[name] for name in files}
    finally:
        for name in files:
            sys.modules.pop(name, None)
            feature.pyside_feature_dict.pop(name, None)
    assert recorded == {"mldesk_probe_qt": 0, "mldesk_probe_plain": -1, "mldesk_probe_latin": 0}


def test_a_module_without_a_source_file_is_left_to_pyside6(feature):
    quick = feature._mod_uses_pyside
    assert quick(sys) is False   # built in: PySide6's own look answers
    assert pyside_import_check.speed_up()   # twice: still the one replacement
    assert feature._mod_uses_pyside is quick


def test_a_pyside6_without_the_look_is_left_alone(feature, monkeypatch):
    monkeypatch.delattr(feature, "_mod_uses_pyside")
    assert pyside_import_check.speed_up() is False
    assert not hasattr(feature, "_mod_uses_pyside")
