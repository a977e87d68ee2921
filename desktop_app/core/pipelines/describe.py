"""A definition in sentences, one per step: what `mldesk pipeline show` prints and the window's chain tells."""

from __future__ import annotations

from desktop_app.core.pipelines.definition import STEP_TITLES, PipelineDefinition, section


def describe(definition: PipelineDefinition) -> list[str]:
    return [f"{STEP_TITLES[step]:<8} {step_sentence(definition, step)}" for step in definition.steps()]


def step_sentence(d: PipelineDefinition, step: str) -> str:
    if step == "import":
        where = d.source.path or "the file each run is given (--input)"
        return f"{where} as a new version of '{d.source.dataset}' (read as first imported)"
    if step == "fix":
        return f"replay {len(d.recipe)} fix(es): " + ", ".join(str(s.get("op", "?")) for s in d.recipe)
    if step == "check":
        gate = section(d.quality)
        target = f" with target {gate.target}" if gate.target else ""
        stop = "never stop" if gate.fail_on == "never" else f"stop on any {gate.fail_on}"
        return f"quality checks{target}; {stop}"
    if step == "drift":
        drift = section(d.drift)
        return f"compare with {drift.model}; stop on {drift.fail_on} drift"
    if step == "score":
        scoring = section(d.scoring)
        return f"score with {scoring.model} into {scoring.folder or 'the exports folder'}"
    if step == "train":
        training = section(d.training)
        champion = training.specs[0]
        more = f" and {len(training.specs) - 1} challenger(s)" if len(training.specs) > 1 else ""
        search = f" ({champion['search']} search)" if champion.get("search") else ""
        return f"{champion['algorithm']}{search} → {champion['target']}{more}, experiment '{training.experiment}'"
    if step == "promote":
        return _promotion_sentence(d)
    export = section(d.export)
    return f"export the bundle{' (zipped)' if export.zip else ''} to {export.folder or 'the exports folder'}"


def _promotion_sentence(d: PipelineDefinition) -> str:
    p = section(d.promotion)
    what = (f"register as {p.model} and move '{p.alias}'" if p.move_alias else
            f"register as {p.model} for approval ('{p.alias}' unchanged)")
    beat = ""
    if p.beat_metric:
        margin = f" by {p.beat_by:g} or more" if p.beat_by else ""
        beat = f" if it beats {p.model}@{p.alias} on {p.beat_metric}{margin} on the same held-out rows"
    gate = f", behind the KPI gate and {', '.join(p.require)}" if p.require else ", behind the KPI gate"
    return what + beat + gate
