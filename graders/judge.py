"""From the answers of one step to its score: case by case, then property by property.

A case is right when the value matches the reference, agrees with finite differences
where the step produces a gradient, and the same input gave the same answer twice.
A property earns its share of the points when all its cases are right; the general
property gates the others, so a wrong formula that happens to be right for m = 1 or
at the edges earns nothing. Inputs left unchanged is judged over every case.
"""

from __future__ import annotations

from typing import Any

from backprop_lab.exercises.step import GENERAL, UNCHANGED, Step
from backprop_lab.graders import compare
from backprop_lab.graders.cases import Case
from backprop_lab.graders.results import PropertyResult, StepResult
from backprop_lab.graders.sandbox.runner import CallOutcome, CaseResult


def judge_case(step: Step, case: Case, result: CaseResult | None) -> compare.Verdict:
    """Is this answer right? Value first; changed inputs are judged by their own property."""
    if result is None:
        return compare.Verdict(False, "no_answer")
    if result.error is not None:
        own = result.error.get("function") == step.id  # not a helper the step called
        reason = "not_implemented" if own and result.error.get("type") == "NotImplementedError" else "raised"
        return compare.Verdict(False, reason, dict(result.error))
    if step.atol is not None:
        verdict = compare.check(
            result.value, case.expected, step.output, step.bounded, atol=step.atol, rtol=0.0, slack=case.slack
        )
    else:
        verdict = compare.check(result.value, case.expected, step.output, step.bounded, slack=case.slack)
    if verdict.ok and case.oracle is not None:
        verdict = compare.check_gradient(result.value, case.oracle, step.output)
    return verdict


def judge_cases(step: Step, cases: list[Case], results: list[CaseResult | None]) -> list[compare.Verdict]:
    verdicts = [judge_case(step, case, r) for case, r in zip(cases, results, strict=True)]
    for index, case in enumerate(cases):
        if case.repeat_of is not None and verdicts[index].ok and verdicts[case.repeat_of].ok:
            first, again = results[case.repeat_of].value, results[index].value
            if not compare.identical(first, again):
                verdicts[index] = compare.Verdict(False, "hidden_state")
    return verdicts


def mutated_names(step: Step, cases: list[Case], results: list[CaseResult | None]) -> list[str]:
    """The arguments the step changed in place, in any case it answered.

    The worker's fingerprints of the arguments after the call are compared with the
    grader's own of what it sent; a missing or unreadable report counts as changed.
    """
    changed: set[int] = set()
    for case, result in zip(cases, results, strict=True):
        if result is None or result.error is not None:
            continue
        after = result.after or []
        for index, name in enumerate(step.params):
            sent = None if name in step.functions else case.sent[name]
            if index >= len(after) or after[index] != sent:
                changed.add(index)
    return [step.params[i] for i in sorted(changed)]


def properties(
    step: Step, points: float, cases: list[Case], verdicts: list[compare.Verdict], changed: list[str]
) -> list[PropertyResult]:
    found = []
    for prop in step.properties:
        if prop.id == UNCHANGED:
            found.append(
                PropertyResult(prop.id, points * prop.share, not changed, len(cases), int(bool(changed)))
            )
            continue
        own = [v for c, v in zip(cases, verdicts, strict=True) if c.property == prop.id]
        failed = sum(not v.ok for v in own)
        found.append(PropertyResult(prop.id, points * prop.share, failed == 0, len(own), failed))
    return found


def score(found: list[PropertyResult]) -> float:
    """The shares of the properties passed, and nothing unless the general one passed."""
    general = next((p for p in found if p.id == GENERAL), None)
    if general is not None and not general.passed:
        return 0.0
    return round(sum(p.points for p in found if p.passed), 2)


def first_failure(cases: list[Case], verdicts: list[compare.Verdict], changed: list[str]) -> int | None:
    """The case to show: the smallest failing one of the first failing property.

    Cases are sorted smallest first within a property; a wrong value teaches more than an
    exception, so values go first.
    """
    failing = [i for i, v in enumerate(verdicts) if not v.ok]
    if not failing:
        return None
    order = {p: n for n, p in enumerate(dict.fromkeys(c.property for c in cases))}
    return min(failing, key=lambda i: (order[cases[i].property], verdicts[i].reason == "raised", i))


def judge_step(
    step: Step, points: float, cases: list[Case], outcome: CallOutcome, defined: set[str]
) -> tuple[StepResult, list[compare.Verdict]]:
    """The step's result (without misconceptions or the failure shown: see grade.py)."""
    result = StepResult(step.id, 0.0, points, "failed", total=len(cases), printed=outcome.printed)
    if step.id not in defined:
        result.status, result.detail = "missing", "not_defined"
        return result, []
    if outcome.status != "ok":
        result.status = "timeout" if outcome.status == "timeout" else "error"
        result.detail, result.detail_values = outcome.detail, outcome.detail_values
        return result, []
    verdicts = judge_cases(step, cases, outcome.results)
    changed = mutated_names(step, cases, outcome.results)
    result.passed = sum(v.ok for v in verdicts)
    result.properties = properties(step, points, cases, verdicts, changed)
    result.score = score(result.properties)
    if all(v.reason == "not_implemented" for v in verdicts):
        result.status, result.detail, result.properties = "missing", "not_implemented", []
    elif all(p.passed for p in result.properties):
        result.status = "passed"
    elif result.passed == 0 and all(v.reason in ("raised", "not_implemented") for v in verdicts):
        result.status = "error"
    else:
        result.status = "partial" if result.score > 0 else "failed"
    return result, verdicts


def received_value(result: Any) -> Any:
    return None if result is None or result.error is not None else result.value
