"""The Qt front end of MLDesk: the window shell, the seven wizard steps, and what they share.

Only this package imports Qt. It calls `desktop_app.core` for everything it shows or changes
(never `core.store`). The layout, from the outside in:

    app.py, main_window.py   start the window; build the steps and wire what they tell each other
                             (pyside_import_check.py: PySide6's look at each later import, made quick)
    shell/                   navigator, top bar, notice bar, task bar and log, welcome, new project
    steps/<step>/            one package per step, with every widget, dialog and text only it uses
    work/                    background work: the task runner, BackgroundWork, the run queue bridge
    widgets/, charts/, text/ what two or more steps use: widgets, the chart toolkit, words and numbers

A step package imports the shared packages and `steps.base`, never another step: steps talk
through the window's signals.
"""
