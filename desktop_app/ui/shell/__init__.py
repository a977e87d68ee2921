"""The window's shell around the steps: the navigator, top bar, notice bar, task bar and its log,
the welcome page, the new-project dialog, the recent-projects list and the user guide's window.

Nothing here knows what a step does; `main_window` puts the steps inside this frame.
"""
