"""One package per wizard step (data, quality, train, compare, registry, export, monitor), each
named like its `core` counterpart, plus `base` (the StepPanel every step is, and its state).

Inside a step package, `panel.py` holds the step's class (re-exported by the package) and the
other modules its widgets, dialogs, worker functions and words. Step packages never import
each other.
"""
