"""The Registry step: registered models, their numbered versions and aliases, KPI gates and history.

`panel.RegistryStep` is the step; the model tree, the detail tabs (overview, aliases, KPI gate,
lineage, history), the register / move-alias / confirm dialogs and the step's words (`text`) are its own.
"""

from desktop_app.ui.steps.registry.panel import RegistryStep

__all__ = ["RegistryStep"]
