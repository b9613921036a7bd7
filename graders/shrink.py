"""A failing input a student can read: small shapes, two-decimal numbers, the same kind of failure.

The grading cases are drawn to expose mistakes, not to be read, and they stay
unrevealed. To show a failure, candidates are drawn in a separate domain from the
failing property's own generator, rounded to two decimals, and asked in one call; the
smallest one that fails the same way is shown. The search is bounded by a number of
candidates, never by a clock, so the same submission always gets the same feedback.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from backprop_lab.exercises.draw import readable
from backprop_lab.exercises.step import Step
from backprop_lab.graders import compare, judge
from backprop_lab.graders.calls import cases_call
from backprop_lab.graders.cases import Case, Corpus, make_case, rng_for
from backprop_lab.graders.sandbox.runner import CaseResult, Session

CANDIDATES = 12


@dataclass
class Shrunk:
    case: Case
    received: CaseResult | None
    verdict: compare.Verdict


def candidates(step: Step, property_id: str, corpus: Corpus) -> list[Case]:
    """Readable inputs for one property, drawn once per run and kept with the corpus."""
    key = (step.id, property_id)
    if key not in corpus.readable:
        prop, drawn = step.get_property(property_id), []
        rng = rng_for(step, corpus.seed, "shrink")
        for index in range(CANDIDATES if prop.draw is not None else 0):
            args = readable(prop.draw(rng, index))
            try:
                drawn.append(make_case(step, args, property_id, diagnose=False))
            except Exception:  # rounding left the reference without an answer: not a candidate
                continue
        corpus.readable[key] = sorted(drawn, key=lambda c: c.size)
    return corpus.readable[key]


def shrink(
    step: Step, property_id: str, reason: str, corpus: Corpus, session: Session, timeout: float
) -> Shrunk | None:
    """The smallest readable input on which the step fails for the same reason, if any."""
    found = candidates(step, property_id, corpus)
    if not found:
        return None
    outcome = session.call(cases_call(step, found, timeout, corpus.functions))
    if outcome.status != "ok":
        return None
    for case, received in zip(found, outcome.results, strict=True):
        verdict = judge.judge_case(step, case, received)
        if not verdict.ok and verdict.reason == reason:
            return Shrunk(case, received, verdict)
    return None


# Numbers of one array kept in the results: numpy's own threshold for printing a summary.
# A wrong answer of a million numbers teaches nothing more than its shape and corners.
SHOWN_NUMBERS = 1000
_short = reprlib.Repr()  # anything else a student returns, in a line or two
_short.maxlevel, _short.maxlist, _short.maxdict, _short.maxstring = 3, 20, 20, 200


def shown(value: Any) -> Any:
    """A value as JSON-able lists, for results and feedback; a huge array as numpy's summary."""
    if isinstance(value, np.ndarray):
        if value.size > SHOWN_NUMBERS:
            summary = np.array2string(value, threshold=SHOWN_NUMBERS, precision=6, separator=", ")
            return f"array of shape {value.shape}: {summary}"
        return value.tolist()
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):  # numbers as an array would be; anything else as a short repr
        try:
            return shown(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):
            if len(value) <= SHOWN_NUMBERS and all(isinstance(v, (np.ndarray, list, tuple)) for v in value):
                return [shown(v) for v in value]  # a network's layers, one by one
            return _short.repr(value)
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    return value
