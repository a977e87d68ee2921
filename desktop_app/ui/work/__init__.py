"""Background work for the window: the task runner and its logs, the run queue's Qt bridge, the
chart warm-up, and `BackgroundWork`, through which a step starts a task and receives its result.

Workers never touch Qt; their events reach the GUI thread through `tasks.TaskRunner`.
"""
