"""The Qt front end of MLDesk: windows, step panels, item models, plots, background tasks.

Only this package imports Qt. It calls `desktop_app.core` for everything it shows or changes.
"""
