"""Evaluate a rule set on models: broadphase, narrowphase, requirement facets, cardinality."""

from __future__ import annotations

import gc
import operator
import platform
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import ifcopenshell

from bimcheck import __version__
from bimcheck.errors import InputError
from bimcheck.model.ifcmodel import Model, open_model, peek_model
from bimcheck.model.references import malformed_near, malformed_relationship
from bimcheck.model.schema import resolve_schema
from bimcheck.results import (
    FINDING_STATUSES,
    ElementResult,
    Finding,
    FloorPlan,
    KeyFigure,
    ModelInfo,
    RequirementResult,
    RunResult,
    Status,
    ToolInfo,
)
from bimcheck.rules import aggregates
from bimcheck.rules.facets import OPTIONAL, PROHIBITED, REQUIRED, Check, Facet, Match, satisfied
from bimcheck.rules.requirement import Requirement, RuleSet

# Called after each requirement: (model name, requirement id, done, total).
Progress = Callable[[str, str, int, int], None]


def tool_info() -> ToolInfo:
    return ToolInfo(
        name="bimcheck",
        version=__version__,
        ifcopenshell=ifcopenshell.version,
        python=platform.python_version(),
    )


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def run_check(
    model_paths: Sequence[str | Path],
    rules: RuleSet,
    progress: Progress | None = None,
    *,
    plans: bool = False,
    timeout: float | None = None,
) -> RunResult:
    """Open each model once and evaluate every requirement on it.

    `plans` adds a floor plan per storey (for reports that draw findings); it costs the
    geometry of every wall, space, door and window, so only formats that draw ask for it.
    `timeout` is a time budget per model in seconds: a model whose check runs longer is
    stopped, and each of its requirements is reported as an error saying so.
    """
    models: list[ModelInfo] = []
    results: list[RequirementResult] = []
    floor_plans: list[FloorPlan] = []
    names = [Path(p).name for p in model_paths]
    for path in model_paths:
        if timeout is None:
            info, checked, drawn = _check_one(path, rules, progress, plans)
        else:
            info, checked, drawn = _check_within(path, rules, plans, timeout)
        if names.count(info.name) > 1:
            # Two models with the same file name: key their results by path instead.
            info = replace(info, name=str(path))
            checked = [replace(r, model=info.name) for r in checked]
            drawn = tuple(replace(p, model=info.name) for p in drawn)
        if any(m.name == info.name for m in models):
            raise InputError(path, "the same model is given twice")
        models.append(info)
        results.extend(checked)
        floor_plans.extend(drawn)
    return RunResult(
        tool=tool_info(),
        created=utc_now(),
        models=tuple(models),
        rule_sources=rules.sources,
        requirements=tuple(results),
        parameters=dict(rules.parameters),
        plans=tuple(floor_plans),
    )


CheckedModel = tuple[ModelInfo, list[RequirementResult], tuple[FloorPlan, ...]]


def _check_one(path: str | Path, rules: RuleSet, progress: Progress | None, plans: bool) -> CheckedModel:
    model = open_model(path)
    checked = check_model(model, rules.requirements, progress)
    return model.info, checked, _plans(model, checked) if plans else ()


def _check_within(path: str | Path, rules: RuleSet, plans: bool, timeout: float) -> CheckedModel:
    """Check one model in a child process, stopped when it runs past `timeout` seconds.

    A child process, because a thread cannot be stopped while it is inside ifcopenshell's
    C++ (parsing, geometry); killing the process is the only sure end of a runaway check.
    """
    import multiprocessing

    # fork where the platform has it: the child starts with the rules already loaded.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child_check, args=(send, str(path), rules, plans), daemon=True)  # type: ignore[attr-defined]
    child.start()
    send.close()
    try:
        if receive.poll(timeout):
            outcome = receive.recv()
            child.join()
            if isinstance(outcome, BaseException):
                raise outcome
            info, checked, drawn = outcome
            return info, checked, drawn
    except EOFError:  # the child died without a word (killed, crashed in C++)
        child.join()
        raise InputError(path, f"the check of this model crashed (exit code {child.exitcode})") from None
    finally:
        if child.is_alive():
            child.kill()
            child.join()
        receive.close()
    info = peek_model(path)
    message = f"not evaluated: the check of this model ran past the time budget of {timeout:g} s (--timeout)"
    stopped = [
        RequirementResult(
            id=r.id,
            title=r.title,
            status=Status.ERROR,
            model=info.name,
            kind=r.kind,
            severity=r.severity,
            cardinality=r.cardinality,
            description=r.description,
            regulation=r.regulation,
            verification=r.verification,
            weight=r.weight,
            source=r.source,
            applicability=r.applicability_text(),
            requirements=r.requirement_text(),
            message=message,
        )
        for r in rules.requirements
    ]
    return info, stopped, ()


def _child_check(send: Any, path: str, rules: RuleSet, plans: bool) -> None:
    try:
        outcome: object = _check_one(path, rules, None, plans)
    except InputError as exc:
        outcome = exc
    except Exception as exc:  # anything else reaches the parent as a one-line input error
        outcome = InputError(path, f"could not be checked: {type(exc).__name__}: {exc}")
    send.send(outcome)
    send.close()


def _plans(model: Model, results: Sequence[RequirementResult]) -> tuple[FloorPlan, ...]:
    """Floor plans with every element that has a finding drawn, whatever its class."""
    from bimcheck.model.plans import floor_plans

    flagged = {e.step_id for r in results for e in r.elements if e.status is not Status.PASS and e.step_id}
    return floor_plans(model, also=[model.file.by_id(i) for i in sorted(flagged)])


def check_model(
    model: Model, requirements: Sequence[Requirement], progress: Progress | None = None
) -> list[RequirementResult]:
    out = []
    with _collector_paused():
        for done, requirement in enumerate(requirements, 1):
            out.append(evaluate(model, requirement))
            if progress is not None:
                progress(model.name, requirement.id, done, len(requirements))
    return out


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a check runs, back to how it was afterwards.

    A check allocates millions of small objects that reference counting frees (results,
    findings, index entries), and the collector rescanned the ever larger heap of them:
    a quarter of the checking time on a model of 20 000 walls. Cycles made meanwhile are
    collected once it is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def select_applicable(model: Model, facets: Sequence[Facet]) -> list[ifcopenshell.entity_instance]:
    """Elements all applicability facets match: the cheapest candidate set, then every facet."""
    applicable, _ = select(model, facets)
    return applicable


def select(
    model: Model, facets: Sequence[Facet]
) -> tuple[list[ifcopenshell.entity_instance], list[tuple[ifcopenshell.entity_instance, Facet, Check]]]:
    """Applicable elements, and those whose applicability could not be decided (and why).

    An element is undecided when no applicability facet excludes it but one of bimcheck's
    own facets (a measure or relation) could not be determined for it.
    """
    candidates, decided = _broadphase(model, facets)
    remaining = [f for f in facets if f is not decided]
    if not remaining:  # the broadphase decided it all (one entity or attribute facet, say)
        listed = list(candidates)
        ids = [element.id() for element in listed]
        if all(map(operator.lt, ids, ids[1:])):  # one class's instances come in step order
            return listed, []
        exact = dict(zip(ids, listed, strict=True))
        return [exact[k] for k in sorted(exact)], []
    selected: dict[int, ifcopenshell.entity_instance] = {}
    undecided: dict[int, tuple[ifcopenshell.entity_instance, Facet, Check]] = {}
    for element in candidates:
        key = element.id()
        if key in selected or key in undecided:
            continue
        unknown: tuple[Facet, Check] | None = None
        for facet in remaining:
            check = facet.check(model, element)
            if check.match is Match.PASS:
                continue
            if check.match is not Match.UNKNOWN:
                break
            unknown = unknown or (facet, check)
        else:
            if unknown is None:
                selected[key] = element
            else:
                undecided[key] = (element, *unknown)
    return [selected[k] for k in sorted(selected)], [undecided[k] for k in sorted(undecided)]


def _broadphase(
    model: Model, facets: Sequence[Facet]
) -> tuple[Iterable[ifcopenshell.entity_instance], Facet | None]:
    """The cheapest candidate set, and the facet it already decides (None if it decides none).

    A facet that can list exactly the elements it passes (`matching`) need not be checked
    again on them.
    """
    entity = next((f for f in facets if f.kind == "entity"), None)
    if entity is not None:
        exact = _matching(model, entity)
        if exact is not None:
            return exact, entity
        return entity.candidates(model), None
    pools: list[tuple[list[ifcopenshell.entity_instance], Facet | None]] = []
    for facet in facets:
        exact = _matching(model, facet)
        pools.append((exact, facet) if exact is not None else (list(facet.candidates(model)), None))
    if not pools:
        return [], None
    return min(pools, key=lambda pool: len(pool[0]))


def _matching(model: Model, facet: Facet) -> list[ifcopenshell.entity_instance] | None:
    matching = getattr(facet, "matching", None)  # only some facets can list their matches
    return None if matching is None else matching(model)


@lru_cache(maxsize=4096)  # once per facet, not once per element
def _describe_expected(facet: Facet) -> str:
    text = facet.describe()
    if facet.cardinality == PROHIBITED:
        return f"not {text}"
    if facet.cardinality == OPTIONAL:
        return f"{text} (optional: if present)"
    return text


def _finding(facet: Facet, check: Check) -> Finding:
    expected = _describe_expected(facet)
    if check.match is Match.UNKNOWN:
        return Finding(
            facet=facet.kind,
            status=Status.NOT_EVALUABLE,
            reason=check.reason,
            message=f"cannot decide {expected}: {check.observed or 'value unknown'}",
            expected=expected,
            observed=check.observed,
            unit=check.unit,
            source=check.source,
        )
    ok = satisfied(facet.cardinality, check)
    reason = check.reason
    if not ok and facet.cardinality == PROHIBITED:
        reason = "prohibited_present"
    elif ok:
        reason = "ok" if check.match is Match.PASS else f"ok_{check.reason}"
    observed = check.observed
    message = f"{'meets' if ok else 'does not meet'} {expected}" + (
        f" (observed: {observed})" if observed else ""
    )
    return Finding(
        facet=facet.kind,
        status=Status.PASS if ok else Status.FAIL,
        reason=reason,
        message=message,
        expected=expected,
        observed=observed,
        value=check.value
        if isinstance(check.value, str | int | float | bool) or check.value is None
        else str(check.value),
        unit=check.unit,
        source=check.source,
    )


def _element_result(
    model: Model, element: ifcopenshell.entity_instance, status: Status, findings: tuple[Finding, ...]
) -> ElementResult:
    global_id, ifc_class, step_id, name, storey = model.identity(element)
    # Positional arguments, in ElementResult's field order: a third cheaper than keywords,
    # once per applicable element. Positions only where someone will look: elements with
    # findings to show (a BCF topic each), not those passed or left to a manual check.
    position = model.position(element) if status in FINDING_STATUSES else None
    return ElementResult(global_id, ifc_class, status, step_id, name, storey, findings, position)


# The findings of an element and its status.
_Outcome = tuple[tuple[Finding, ...], Status]


class _ElementChecker:
    """Checks elements against one requirement's facets, sharing identical findings.

    Most elements of a requirement observe one of a few outcomes (the same fire rating, the
    same missing property); a finding and the element status are made once per distinct
    outcome of the facets, not once per element.
    """

    def __init__(self, model: Model, requirement: Requirement) -> None:
        self._model = model
        self._requirement = requirement
        self._facets = requirement.requirements
        self._prohibited = requirement.cardinality == PROHIBITED
        self._outcomes: dict[tuple[object, ...], _Outcome] = {}
        self._by_identity: dict[tuple[int, ...], tuple[tuple[Check, ...], _Outcome]] = {}

    def __call__(self, element: ifcopenshell.entity_instance) -> ElementResult:
        model, requirement = self._model, self._requirement
        if self._prohibited:
            finding = Finding(
                facet="specification",
                status=Status.FAIL,
                reason="prohibited_present",
                message="element matches a prohibited specification",
                expected="no element matching: " + "; ".join(requirement.applicability_text()),
                observed=element.is_a(),
            )
            return _element_result(model, element, Status.FAIL, (finding,))
        try:
            checks = tuple([f.check(model, element) for f in self._facets])
            outcome = self._outcome(checks)
        except Exception as exc:  # one element's bad data must not stop the requirement
            # Name the malformed instance when there is one: the exception's own text is Python's.
            why = malformed_near(model.file, element) or f"{type(exc).__name__}: {exc}"
            finding = Finding(
                facet="engine",
                status=Status.ERROR,
                reason="evaluation_error",
                message=f"could not evaluate: {why}",
            )
            return _element_result(model, element, Status.ERROR, (finding,))
        findings, status = outcome
        return _element_result(model, element, status, findings)

    def check_all(self, elements: Sequence[ifcopenshell.entity_instance]) -> tuple[ElementResult, ...]:
        """Each element's result, as __call__ gives it, in one loop.

        The loop runs once per applicable element of every requirement: the model's lookups
        are held in locals, which was a tenth of checking an element whose facets were already
        decided.
        """
        if self._prohibited:
            return tuple([self(e) for e in elements])
        model, facets = self._model, self._facets
        identity, position, outcome = model.identity, model.position, self._outcome
        shown = FINDING_STATUSES
        out: list[ElementResult] = []
        for element in elements:
            try:
                findings, status = outcome(tuple([f.check(model, element) for f in facets]))
            except Exception:  # __call__ reports it, with the malformed instance named
                out.append(self(element))
                continue
            global_id, ifc_class, step_id, name, storey = identity(element)
            where = position(element) if status in shown else None
            out.append(ElementResult(global_id, ifc_class, status, step_id, name, storey, findings, where))
        return tuple(out)

    def _outcome(self, checks: tuple[Check, ...]) -> _Outcome:
        # Facets hand the very same Check to elements that observe the same (see
        # Model.outcome): known by identity, an outcome needs no hashing of its checks. The
        # entry keeps the checks alive, so their ids cannot pass to other checks meanwhile.
        ids = tuple(map(id, checks))
        seen = self._by_identity.get(ids)
        if seen is not None:
            return seen[1]
        known = self._outcome_of(checks)
        if len(self._by_identity) < _MAX_OUTCOMES:
            self._by_identity[ids] = (checks, known)
        return known

    def _outcome_of(self, checks: tuple[Check, ...]) -> _Outcome:
        key = tuple([_sharing_key(c) for c in checks])
        try:
            known = self._outcomes.get(key)
        except TypeError:  # an unhashable observed value: nothing to share
            known = None
            shareable = False
        else:
            shareable = True
        if known is None:
            findings = tuple(_finding(f, c) for f, c in zip(self._facets, checks, strict=True))
            known = (findings, _worst(f.status for f in findings))
            if shareable and len(self._outcomes) < _MAX_OUTCOMES:
                self._outcomes[key] = known
        return known


def _sharing_key(check: Check) -> object:
    """A check as a key of equal outcomes: 1, 1.0 and True are equal in Python, not in a report.

    Its fields in a plain tuple, which hashes in C, rather than the Check itself, whose
    dataclass hash is Python code run once per element.
    """
    value = check.value
    cls = value.__class__
    if cls is float:
        value = repr(value)  # repr tells 0.0 from -0.0
    return (check.match, check.reason, check.observed, value, cls, check.unit, check.source)


# Distinct outcomes kept per requirement: enough for any repeated outcome, bounded when every
# element observes its own value (e.g. areas), where sharing gains nothing anyway.
_MAX_OUTCOMES = 50_000


# Element status from its findings: one failure decides; an undecidable finding is never a pass.
_PRECEDENCE = (Status.FAIL, Status.ERROR, Status.NOT_EVALUABLE)


def _worst(statuses: Iterable[Status]) -> Status:
    present = set(statuses)
    return next((s for s in _PRECEDENCE if s in present), Status.PASS)


def _undecided_element(
    model: Model, element: ifcopenshell.entity_instance, facet: Facet, check: Check
) -> ElementResult:
    finding = Finding(
        facet=facet.kind,
        status=Status.NOT_EVALUABLE,
        reason="applicability_unknown",
        message=f"cannot tell whether the requirement applies: {check.observed or facet.describe()}",
        expected=facet.describe(),
        observed=check.observed,
        unit=check.unit,
        source=check.source,
    )
    return _element_result(model, element, Status.NOT_EVALUABLE, (finding,))


def _manual_element(model: Model, element: ifcopenshell.entity_instance) -> ElementResult:
    return _element_result(model, element, Status.MANUAL, ())


def evaluate(model: Model, requirement: Requirement) -> RequirementResult:
    """Evaluate one requirement on one model; never raises."""
    notes: list[str] = []
    if requirement.ifc_versions and not _schema_listed(model.info.schema, requirement.ifc_versions):
        notes.append(
            f"model schema {model.info.schema} is not among the requirement's IFC versions "
            f"({' '.join(requirement.ifc_versions)}); evaluated anyway"
        )
    key_figures: tuple[KeyFigure, ...] = ()
    try:
        applicable, undecided = (
            select(model, requirement.applicability) if requirement.applicability else ([], [])
        )
        if requirement.manual:
            manual = tuple(_manual_element(model, e) for e in applicable)
            note = "cannot be decided from the model: verify by hand"
            if requirement.verification:
                note += f" ({requirement.verification})"
            return _result(model, requirement, Status.MANUAL, manual, len(applicable), note, notes)
        undecided_results = tuple(_undecided_element(model, e, f, c) for e, f, c in undecided)
        doubtful = [e for e, _, _ in undecided]
        aggregate = requirement.aggregate
        message: str | None
        if aggregate is not None and not requirement.requirements:
            # A key figure alone: each element shows what it contributed, the figure decides.
            elements = tuple(_contribution(model, aggregate, e) for e in applicable) + undecided_results
            key_figures, status, message = aggregates.evaluate(model, aggregate, applicable, doubtful)
            if undecided_results:
                status = _worst((status, Status.NOT_EVALUABLE))
                message = f"{message}; {len(undecided_results)} element(s) of undecided applicability"
        else:
            elements = _ElementChecker(model, requirement).check_all(applicable) + undecided_results
            status, message = _requirement_status(requirement, elements)
            if aggregate is not None:
                key_figures, figure_status, figure_message = aggregates.evaluate(
                    model, aggregate, applicable, doubtful
                )
                status = _worst((status, figure_status))
                message = "; ".join(m for m in (message, figure_message) if m)
    except Exception as exc:
        why = malformed_relationship(model.file) or f"{type(exc).__name__}: {exc}"
        return _result(model, requirement, Status.ERROR, (), 0, f"could not evaluate: {why}", notes)
    return _result(model, requirement, status, elements, len(applicable), message, notes, key_figures)


def _contribution(
    model: Model, aggregate: aggregates.Aggregate, element: ifcopenshell.entity_instance
) -> ElementResult:
    """An element counted in a key figure, with the value it contributed and where it came from."""
    finding = aggregates.contribution(model, aggregate, element)
    return _element_result(model, element, finding.status, (finding,))


def _schema_listed(schema: str, versions: Sequence[str]) -> bool:
    ours = resolve_schema(schema)
    return any(resolve_schema(v) == ours for v in versions)


def _requirement_status(
    requirement: Requirement, elements: tuple[ElementResult, ...]
) -> tuple[Status, str | None]:
    n = len(elements)
    if n == 0 and requirement.aggregate is not None:
        # A key figure over nothing is still a figure (e.g. zero lifts): its threshold decides.
        return Status.PASS, None
    if requirement.cardinality == PROHIBITED:
        if n:
            return Status.FAIL, f"{n} element(s) match a prohibited specification"
        return Status.PASS, "no element matches the prohibited specification"
    if n == 0:
        if requirement.cardinality == REQUIRED:
            return Status.FAIL, "no applicable element found, but the requirement needs at least one"
        return Status.PASS, "no applicable element (optional requirement)"
    statuses = {e.status for e in elements}
    failed = sum(1 for e in elements if e.status is Status.FAIL)
    if Status.FAIL in statuses:
        return Status.FAIL, f"{failed} of {n} applicable element(s) fail"
    if Status.ERROR in statuses:
        return Status.ERROR, "some elements could not be evaluated"
    if Status.NOT_EVALUABLE in statuses:
        return Status.NOT_EVALUABLE, "some elements lack the data to decide"
    return Status.PASS, f"all {n} applicable element(s) pass"


def _result(
    model: Model,
    requirement: Requirement,
    status: Status,
    elements: tuple[ElementResult, ...],
    applicable: int,
    message: str | None,
    notes: list[str],
    key_figures: tuple[KeyFigure, ...] = (),
) -> RequirementResult:
    return RequirementResult(
        id=requirement.id,
        title=requirement.title,
        status=status,
        model=model.info.name,
        kind=requirement.kind,
        severity=requirement.severity,
        cardinality=requirement.cardinality,
        description=requirement.description,
        instructions=requirement.instructions,
        regulation=requirement.regulation,
        verification=requirement.verification,
        weight=requirement.weight,
        source=requirement.source,
        applicability=requirement.applicability_text(),
        requirements=requirement.requirement_text(),
        message=message,
        notes=tuple(notes),
        applicable_count=applicable,
        elements=elements,
        key_figures=key_figures,
    )
