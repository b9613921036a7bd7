"""Naming the mistake: which known wrong formula the answers follow, if any.

A misconception is named only when the answers match its formula on every probe (every
case where the formula has an answer), on at least two probes, and at least one probe
tells it apart from the right answer: a wrong label is worse than none.
"""

from __future__ import annotations

from backprop_lab.exercises.step import MUTATES_INPUT, Misconception, Step
from backprop_lab.graders import compare
from backprop_lab.graders.cases import Case
from backprop_lab.graders.sandbox.runner import CaseResult


def diagnose(
    step: Step,
    cases: list[Case],
    results: list[CaseResult | None],
    verdicts: list[compare.Verdict],
    changed: list[str],
) -> list[Misconception]:
    found: list[Misconception] = []
    if changed:
        found.append(MUTATES_INPUT)
    answered = [(c, r) for c, r in zip(cases, results, strict=True) if r is not None and r.error is None]
    if all(v.ok for v in verdicts):
        return found
    for index, wrong in enumerate(step.misconceptions):
        if any(m.id == wrong.id for m in found):
            continue
        probes = [(c, r) for c, r in answered if c.wrong[index] is not None]
        if (
            len(probes) >= 2
            and any(c.telling[index] for c, _ in probes)
            and all(compare.matches(r.value, c.wrong[index], step.output, step.atol) for c, r in probes)
        ):
            found.append(wrong)
    return found
