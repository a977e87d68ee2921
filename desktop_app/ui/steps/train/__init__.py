"""The Train step: pick data and target, tick models, set options, start; watch the queue.

`panel.TrainStep` is the step; the model cards and their parameter forms, the shared options, the
live queue, the batch leaderboard and what the step reads about a target (`target`) are its own.
"""

from desktop_app.ui.steps.train.panel import TrainStep

__all__ = ["TrainStep"]
