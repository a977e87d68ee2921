"""What the pipeline services hand out: saved definitions, pipeline runs and their steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from desktop_app.core.pipelines.definition import PipelineDefinition


class PipelineStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"               # every step ran; promoted or not, the outcome says which
    STOPPED = "stopped"         # a gate or drift stopped it: the outcome says which step and why
    FAILED = "failed"           # an error: the outcome is its sentence
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # the process running it stopped (closed, killed, a power cut)

    @property
    def ended(self) -> bool:
        return self is not PipelineStatus.RUNNING


class StepState(StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    REUSED = "reused"           # the same work on the same input was done by an earlier run: its result is used
    SKIPPED = "skipped"         # nothing to do (e.g. no version holds the alias yet)
    STOPPED = "stopped"         # its gate stopped the pipeline
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class SavedPipeline:
    """A pipeline's current definition and where it stands in its history."""

    definition: PipelineDefinition
    version: int                 # how many times it was saved
    event_id: str                # the saved change (a pipeline run names the definition it ran by this)
    saved_at: datetime | None
    saved_by: str
    conflict: bool = False       # saved on two workstations without seeing each other: the newest is used

    @property
    def name(self) -> str:
        return self.definition.name


@dataclass(frozen=True)
class StepRecord:
    step: str
    state: StepState
    detail: str = ""             # one sentence: what it did, reused or why it stopped
    seconds: float | None = None
    made: dict[str, Any] = field(default_factory=dict)   # kind → id (or path) of what it made or reused
    result: dict[str, Any] = field(default_factory=dict)  # what a later run reusing this step needs
    key: str = ""                # the hash of its inputs and settings: equal keys mean the same work

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "state": str(self.state), "detail": self.detail, "seconds": self.seconds,
                "made": dict(self.made), "result": dict(self.result), "key": self.key}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepRecord:
        return cls(step=data["step"], state=StepState(data["state"]), detail=data.get("detail") or "",
                   seconds=data.get("seconds"), made=dict(data.get("made") or {}),
                   result=dict(data.get("result") or {}), key=data.get("key") or "")


@dataclass(frozen=True)
class PipelineRun:
    id: str
    pipeline: str
    definition_event_id: str
    status: PipelineStatus
    outcome: str
    stopped_at_step: str | None
    input_path: str
    input_sha256: str | None
    steps: tuple[StepRecord, ...]
    made: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    user: str
    host: str
    owner: dict[str, Any] | None = None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def seconds(self) -> float | None:
        return (self.ended_at - self.started_at).total_seconds() if self.ended_at else None

    @property
    def promoted(self) -> bool:
        return bool(self.made.get("model_version"))

    def step(self, name: str) -> StepRecord | None:
        return next((s for s in self.steps if s.step == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "pipeline": self.pipeline, "definition": self.definition_event_id,
                "status": str(self.status), "outcome": self.outcome, "stopped_at_step": self.stopped_at_step,
                "input": self.input_path, "input_sha256": self.input_sha256,
                "steps": [s.to_dict() for s in self.steps], "made": dict(self.made),
                "started_at": self.started_at.isoformat(),
                "ended_at": self.ended_at.isoformat() if self.ended_at else None,
                "seconds": self.seconds, "user": self.user, "host": self.host}
