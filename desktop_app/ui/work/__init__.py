"""Background work for the window: the task runner and its logs, the run queue's Qt bridge, the
chart warm-up, `BackgroundWork`, through which a step starts a task and receives its result, and
`separate_process`, which sends large work to a child process.

Workers never touch Qt; their events reach the GUI thread through `tasks.TaskRunner`.
"""
