"""Every point defensible: mistakes nobody catalogued still cost their step, on every seed,
a student who knows every public case gains nothing, and one mistake is charged once."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from backprop_lab.exercises.catalog import Course
from backprop_lab.graders.batch import Grader
from backprop_lab.graders.cases import build_corpus
from backprop_lab.graders.grade import GradingConfig, seed_of
from backprop_lab.graders.shrink import shown
from backprop_lab.graders.submissions import Submission
from tests.mutants import MUTANTS, survivors
from tests.submissions import BASE, CORPUS, property_mistakes, replace_function
from tests.sweep import off_their_score, subjects

POINTS = Course().points
SECRET = "a course secret nobody outside the staff room has seen"


def submission(name: str, source: str) -> Submission:
    return Submission(name, name, [{"name": f"{name}.py", "source": source}])


def by_step(result) -> dict:
    return {s.id: s for s in result.steps}


# One mistake each, none of them in the catalog, written the ways students write code.
HELD_OUT = {
    "forward": (
        "def forward(X, params):\n"
        "    W = params['W_hidden']\n"
        "    Z_hidden = X @ (W if X.shape[1] == W.shape[0] else W.T) + params['b_hidden']\n"
        "    A_hidden = sigmoid(Z_hidden)\n"
        "    Z_out = A_hidden @ params['W_out'].T + params['b_out']\n"
        "    return {'Z_hidden': Z_hidden, 'A_hidden': A_hidden, 'Z_out': Z_out, 'P': sigmoid(Z_out)}\n"
    ),
    "weight_grad": (  # a loop that skips example 0
        "def weight_grad(delta, A_prev):\n"
        "    total = np.zeros((delta.shape[1], A_prev.shape[1]))\n"
        "    for i in range(1, delta.shape[0]):\n"
        "        total += np.outer(delta[i], A_prev[i])\n"
        "    return total / delta.shape[0]\n"
    ),
    "numerical_gradient": (  # ε where 2ε belongs
        "def numerical_gradient(f, theta, eps=1e-6):\n"
        "    grad = np.zeros_like(theta)\n"
        "    for i in np.ndindex(theta.shape):\n"
        "        up, down = theta.copy(), theta.copy()\n"
        "        up[i] += eps\n"
        "        down[i] -= eps\n"
        "        grad[i] = (f(up) - f(down)) / eps\n"
        "    return grad\n"
    ),
    "output_delta": "def output_delta(P, Y):\n    return np.array(P, dtype=float)\n",
    "sgd_step": (  # overwrites its inputs and returns zeros
        "def sgd_step(params, grads, lr):\n"
        "    for k in params:\n"
        "        params[k] -= params[k]\n"
        "    return {k: v.copy() for k, v in params.items()}\n"
    ),
    "hidden_delta": (  # float32 arithmetic, returned as float64
        "def hidden_delta(A_hidden, W_out, delta_out):\n"
        "    a, w, d = (x.astype(np.float32) for x in (A_hidden, W_out, delta_out))\n"
        "    return (a * (1 - a) * (d @ w)).astype(np.float64)\n"
    ),
    "bias_grad": (  # einsum over the wrong index
        "def bias_grad(delta):\n    return np.einsum('ij->i', delta)[: delta.shape[1]] / delta.shape[0]"
        " if delta.shape[0] >= delta.shape[1] else np.zeros(delta.shape[1])\n"
    ),
    "cross_entropy": (  # clipped so hard that confident predictions lose their loss
        "def cross_entropy(P, Y):\n"
        "    P = np.clip(P, 0.01, 0.99)\n"
        "    return float(np.mean(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=1)))\n"
    ),
    "cross_entropy_grad": (  # averaged although the step is per example
        "def cross_entropy_grad(P, Y):\n    return (-Y / P + (1 - Y) / (1 - P)) / len(P)\n"
    ),
    "sigmoid_grad": "def sigmoid_grad(a):\n    return np.exp(-a) / (1 + np.exp(-a)) ** 2\n",
    "sigmoid": (  # list comprehension, math.exp: right, but overflows at extreme z
        "import math\n\ndef sigmoid(z):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    return np.array([1 / (1 + math.exp(-v)) for v in z.ravel()]).reshape(z.shape)\n"
    ),
    "backward": (  # a class whose backward forgets the hidden layer's derivative
        "class _Net:\n"
        "    def grads(self, X, Y, params):\n"
        "        c = forward(X, params)\n"
        "        d_out = c['P'] - Y\n"
        "        d_hid = d_out @ params['W_out']\n"
        "        m = len(X)\n"
        "        return {'W_hidden': d_hid.T @ X / m, 'b_hidden': d_hid.mean(0),\n"
        "                'W_out': d_out.T @ c['A_hidden'] / m, 'b_out': d_out.mean(0)}\n\n"
        "def backward(X, Y, params):\n    return _Net().grads(X, Y, params)\n"
    ),
}
# The only labels a held-out mistake may carry: the ones that are true of it.
RIGHT_LABELS = {
    "sigmoid_grad": {"sigmoid_applied_twice"},  # e^-a/(1 + e^-a)² is σ'(a): σ applied to the activation
    "sgd_step": {"mutates_input"},
    "backward": {"missing_activation_derivative"},
}
# Where a held-out mistake keeps the general property (the formula is right), the property it breaks.
BREAKS = {"sigmoid": "extremes", "cross_entropy": "extremes"}


@pytest.mark.parametrize("seed", [0, 7, 19])
def test_each_uncatalogued_mistake_costs_its_step_and_nothing_else(seed) -> None:
    with Grader(GradingConfig(seed=seed)) as grader:
        for step_id, code in HELD_OUT.items():
            name = step_id.split("(")[0]
            result = grader.grade(submission(f"held_out_{step_id}", replace_function(BASE, name, code)))
            steps = by_step(result)
            others = {s.id: s.score for s in result.steps if s.id != step_id and s.score != s.max_score}
            assert others == {}, (step_id, others)
            wrong = steps[step_id]
            if step_id in BREAKS:
                assert [p.id for p in wrong.properties if not p.passed] == [BREAKS[step_id]], step_id
            else:
                assert wrong.score == 0.0, (step_id, wrong.properties)
            assert set(wrong.misconceptions) <= RIGHT_LABELS.get(step_id, set()), (step_id, wrong)


def test_every_mutant_of_the_reference_loses_its_step() -> None:
    """A fast subset of scripts/mutation_analysis.py, which runs seeds 0 to 19."""
    assert len(MUTANTS) >= 60
    assert survivors(MUTANTS, [0, 13]) == []


def test_float32_work_fails_the_same_way_as_dtype_and_as_arithmetic() -> None:
    right = "(A_hidden * (1 - A_hidden) * (delta_out @ W_out))"
    as_dtype = f"def hidden_delta(A_hidden, W_out, delta_out):\n    return {right}.astype(np.float32)\n"
    with Grader(GradingConfig()) as grader:
        dtype = by_step(
            grader.grade(submission("f32_dtype", replace_function(BASE, "hidden_delta", as_dtype)))
        )
        arithmetic = by_step(
            grader.grade(
                submission("f32_math", replace_function(BASE, "hidden_delta", HELD_OUT["hidden_delta"]))
            )
        )
    assert dtype["hidden_delta"].score == arithmetic["hidden_delta"].score == 0.0
    assert dtype["hidden_delta"].failure.reason == "wrong_dtype"
    assert arithmetic["hidden_delta"].failure.reason == "wrong_value"


def lookup_table_submission() -> str:
    """A file that knows the right answer to every public input and implements nothing.

    It is built from all a student can see: the practice cases `check` uses and the
    reference shipped in the installed package. Inputs are keyed by their repr, as the
    file itself computes it; answers are stored exactly.
    """
    practice = build_corpus(list(Course().steps.values()), 0, "practice")
    table: dict[str, dict[str, object]] = {}
    for step_id, cases in practice.cases.items():
        for case in cases:
            if "f" in case.args:
                continue  # a function argument has no stable key
            key = hashlib.sha256(
                repr(sorted((k, repr(v)) for k, v in case.args.items())).encode()
            ).hexdigest()
            table.setdefault(step_id, {})[key] = shown(case.expected)
    lines = [
        "import hashlib",
        "import numpy as np",
        "",
        f"TABLE = {table!r}",
        "",
        "def _value(v):",
        "    if isinstance(v, dict):",
        "        return {k: np.array(x, dtype=np.float64) for k, x in v.items()}",
        "    return v if isinstance(v, float) else np.array(v, dtype=np.float64)",
        "",
    ]
    for step_id, step in Course().steps.items():
        params = ", ".join(step.params)
        names = ", ".join(f"({p!r}, repr({p}))" for p in step.params)
        lines += [
            f"def {step_id}({params}):",
            f"    key = hashlib.sha256(repr(sorted([{names}])).encode()).hexdigest()",
            f"    if key in TABLE.get({step_id!r}, {{}}):",
            f"        return _value(TABLE[{step_id!r}][key])",
            "    raise NotImplementedError",
            "",
        ]
    return "\n".join(lines)


def test_a_lookup_table_of_everything_public_scores_nothing() -> None:
    source = lookup_table_submission()
    with Grader(GradingConfig.practice(shrink=False)) as grader:
        on_practice = grader.grade(submission("table", source))
    with Grader(GradingConfig.from_secret(SECRET, shrink=False)) as grader:
        graded = grader.grade(submission("table", source))
    # The table is real: it knows the practice answers...
    passed = [s.id for s in on_practice.steps if s.status == "passed"]
    assert len(passed) >= 10, [(s.id, s.status, s.failure) for s in on_practice.steps]
    # ... and earns nothing where the cases come from the course's secret.
    assert graded.score == 0.0, [(s.id, s.score) for s in graded.steps]


def test_practice_and_grading_cases_never_meet() -> None:
    steps = list(Course().steps.values())
    practice, grading = build_corpus(steps, 0, "practice"), build_corpus(steps, 0, "grading")
    for step in steps:
        seen = {repr(c.args) for c in practice.cases[step.id]}
        assert not seen & {repr(c.args) for c in grading.cases[step.id]}, step.id
    assert seed_of(SECRET) != seed_of(SECRET + "!") and seed_of(SECRET) == seed_of(SECRET)


def test_the_same_seed_draws_the_same_cases_in_any_process() -> None:
    """Whatever a process imported first, the corpus of a seed is the same bytes."""
    script = textwrap.dedent(
        """
        import hashlib, sys
        for name in sys.argv[1:]:
            __import__(name)
        from backprop_lab.exercises.catalog import Course
        from backprop_lab.graders.cases import build_corpus
        corpus = build_corpus(list(Course().steps.values()), 42)
        print(hashlib.sha256(repr(sorted(corpus.cases.items())).encode()).hexdigest())
        """
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, *imports], capture_output=True, text=True, check=True
        ).stdout
        for imports in ([], ["hypothesis", "nbformat"], ["matplotlib", "click", "tests.mutants"])
    }
    assert len(digests) == 1


CLASS_WITH_HELPER = '''
class Network:
    """Everything in one class, as some students write it; the output delta has a sign error."""

    def delta_out(self, P, Y):
        return Y - P

    def delta_hidden(self, A_hidden, W_out, delta_out):
        return A_hidden * (1 - A_hidden) * (delta_out @ W_out)

    def grads(self, X, Y, params):
        c = forward(X, params)
        d_out = self.delta_out(c["P"], Y)
        d_hid = self.delta_hidden(c["A_hidden"], params["W_out"], d_out)
        m = X.shape[0]
        return {"W_hidden": d_hid.T @ X / m, "b_hidden": d_hid.mean(0),
                "W_out": d_out.T @ c["A_hidden"] / m, "b_out": d_out.mean(0)}


_net = Network()
output_delta = _net.delta_out
hidden_delta = _net.delta_hidden
backward = _net.grads
'''


def test_a_class_whose_backward_uses_its_own_wrong_method_is_charged_once() -> None:
    source = BASE
    for name in ("output_delta", "hidden_delta", "backward"):
        source = replace_function(source, name, "")
    with Grader(GradingConfig()) as grader:
        result = grader.grade(submission("classy", source + CLASS_WITH_HELPER))
    steps = by_step(result)
    assert steps["output_delta"].score == 0.0 and steps["output_delta"].misconceptions == ["sign_error"]
    assert steps["backward"].score == POINTS["backward"] and steps["backward"].carried_forward == [
        "output_delta"
    ]
    assert result.score == 100.0 - POINTS["output_delta"]


def test_a_step_cannot_borrow_the_answer_of_a_step_it_is_not_built_from() -> None:
    borrowed = "def cross_entropy_grad(P, Y):\n    return output_delta(P, Y) / (P * (1 - P))\n"
    stub = "def output_delta(P, Y):\n    raise NotImplementedError\n"
    source = replace_function(replace_function(BASE, "cross_entropy_grad", borrowed), "output_delta", stub)
    with Grader(GradingConfig()) as grader:
        steps = by_step(grader.grade(submission("borrower", source)))
    assert steps["output_delta"].status == "missing"
    assert steps["cross_entropy_grad"].score == 0.0 and steps["cross_entropy_grad"].carried_forward == []
    assert steps["backward"].score == POINTS["backward"]  # built from output_delta: its own code is right


ZEROS = """
import numpy as np

def sigmoid_grad(a):
    return np.zeros_like(np.asarray(a, dtype=np.float64))

def hidden_delta(A_hidden, W_out, delta_out):
    return np.zeros((A_hidden.shape[0], W_out.shape[1]))

def weight_grad(delta, A_prev):
    return np.zeros((delta.shape[1], A_prev.shape[1]))

def bias_grad(delta):
    return np.zeros(delta.shape[1])

def backward(X, Y, params):
    return {k: np.zeros_like(v) for k, v in params.items()}
"""


def test_steps_that_return_zeros_earn_nothing_by_composing_blocks_that_return_zeros() -> None:
    # Composed with the student's own zero blocks, the reference answers zeros too: a
    # composition that cannot tell a right step from `return 0` is no evidence.
    with Grader(GradingConfig()) as grader:
        result = grader.grade(submission("zeros", ZEROS))
    steps = by_step(result)
    assert result.score == 0.0
    for name in ("hidden_delta", "weight_grad", "bias_grad", "backward"):
        assert steps[name].score == 0.0 and steps[name].carried_forward == []
    assert "sigmoid_grad" in steps["hidden_delta"].suspects


def test_a_gradient_check_that_reads_f_instead_of_calling_it_earns_nothing() -> None:
    # f is evaluated by the grader: nothing in the student's process holds its coefficients.
    source = (CORPUS / "hostile" / "reads_test_function.py").read_text()
    with Grader(GradingConfig()) as grader:
        step = by_step(grader.grade(submission("reader", source)))["numerical_gradient"]
    assert step.score == 0.0 and step.status == "failed"


def test_f_answers_only_for_a_theta_of_its_own_shape() -> None:
    probe = (
        "import numpy as np\ndef numerical_gradient(f, theta, eps=1e-6):\n    f(np.zeros(theta.size + 1))\n"
    )
    with Grader(GradingConfig()) as grader:
        step = by_step(grader.grade(submission("probe", probe)))["numerical_gradient"]
    assert step.score == 0.0 and step.failure.reason == "raised"
    assert "f takes θ of shape" in step.failure.error["message"]


def test_blocks_that_replay_what_their_step_answered_earn_the_step_nothing() -> None:
    # The blocks are composed in a fresh worker: they never saw what the steps answered.
    source = (CORPUS / "hostile" / "replays_composition.py").read_text()
    with Grader(GradingConfig()) as grader:
        steps = by_step(grader.grade(submission("replayer", source)))
    for name in ("hidden_delta", "backward"):
        assert steps[name].score == 0.0 and steps[name].carried_forward == []


def test_a_block_answer_of_another_shape_is_no_composition() -> None:
    # The reference composed with a (5000, 1, 1) sigmoid_grad broadcasts to the student's
    # own wrong shape; a block's answer must have the form of the reference block's.
    source = (CORPUS / "hostile" / "composition_broadcast.py").read_text()
    with Grader(GradingConfig()) as grader:
        steps = by_step(grader.grade(submission("broadcaster", source)))
    assert steps["hidden_delta"].score == 0.0 and steps["hidden_delta"].carried_forward == []
    assert steps["hidden_delta"].suspects == ["sigmoid_grad"]


def test_a_step_wrong_on_its_own_earns_nothing_beside_a_block_that_changed_its_inputs() -> None:
    # The block that wrote into its input is a suspect, but the stand-in cannot make a
    # wrong formula right: hidden_delta forgets σ' whatever sigmoid_grad does.
    block = "def sigmoid_grad(a):\n    r = a * (1 - a)\n    a[...] = 0.0\n    return r\n"
    wrong = "def hidden_delta(A_hidden, W_out, delta_out):\n    return delta_out @ W_out\n"
    source = replace_function(replace_function(BASE, "sigmoid_grad", block), "hidden_delta", wrong)
    with Grader(GradingConfig()) as grader:
        steps = by_step(grader.grade(submission("writer", source)))
    assert steps["sigmoid_grad"].score == POINTS["sigmoid_grad"] * (1 - share("sigmoid_grad", "unchanged"))
    assert steps["hidden_delta"].score == 0.0 and steps["hidden_delta"].carried_forward == []
    assert steps["hidden_delta"].suspects == ["sigmoid_grad"]


def share(step_id: str, property_id: str) -> float:
    return Course().steps[step_id].get_property(property_id).share


def built_from(block: str) -> set[str]:
    """The steps that use the block, directly or through another step."""
    steps = Course().steps
    found: set[str] = set()
    while True:
        more = {s.id for s in steps.values() if set(s.uses) & (found | {block})} - found
        if not more:
            return found
        found |= more


@pytest.mark.parametrize("seed", [0, 11])
def test_a_block_failing_one_property_costs_that_share_and_nothing_in_the_steps_built_from_it(seed) -> None:
    """The issue's examples, each right in value: its step loses the share of the property
    it breaks (hidden_delta in place: 15 × 0.1 = 1.5; sigmoid into its input: 5 × 0.1 = 0.5;
    weight_grad `delta /= m`: 10 × 0.1 = 1; sigmoid clipped to ±20: 5 × 0.3 = 1.5; bias_grad
    squeezing m = 1: 5 × 0.2 = 1), and every step built from it keeps all its points."""
    with Grader(GradingConfig(seed=seed, shrink=False)) as grader:
        for name, (step_id, lost, source) in property_mistakes().items():
            result = grader.grade(submission(name, source))
            steps = by_step(result)
            cost = POINTS[step_id] * share(step_id, lost)
            assert steps[step_id].score == POINTS[step_id] - cost, (name, steps[step_id].properties)
            assert [p.id for p in steps[step_id].properties if not p.passed] == [lost], name
            assert result.score == 100.0 - cost, (name, {s.id: s.score for s in result.steps})
            carried = {s.id: s.carried_causes for s in result.steps if s.carried_forward}
            assert carried and set(carried) <= built_from(step_id), (name, carried)
            assert all(causes[step_id]["property"] == lost for causes in carried.values()), (name, carried)


def test_the_later_step_says_the_side_effect_is_charged_to_the_block_only() -> None:
    from backprop_lab.feedback import step_feedback

    _, _, source = property_mistakes()["weight_grad_divides_delta"]
    with Grader(GradingConfig()) as grader:
        backward = by_step(grader.grade(submission("divider", source)))["backward"]
    assert backward.score == POINTS["backward"] and backward.carried_forward == ["weight_grad"]
    english, chinese = step_feedback(backward, "en"), step_feedback(backward, "zh")
    assert "Your weight_grad changes delta in place" in english
    assert "this is charged to weight_grad only" in english
    assert "weight_grad 原地修改了 delta" in chinese and "只在 weight_grad 扣分" in chinese


def test_a_circle_of_steps_that_only_call_each_other_earns_nothing() -> None:
    # sigmoid_grad, cross_entropy_grad and output_delta are each defined by the other two,
    # hidden_delta by sigmoid_grad: none fails on its own, so no stand-in answers for it.
    source = (CORPUS / "hostile" / "circle_of_stand_ins.py").read_text()
    circle = ("sigmoid_grad", "cross_entropy_grad", "output_delta", "hidden_delta")
    with Grader(GradingConfig.from_secret(SECRET)) as grader:
        result = grader.grade(submission("circle", source))
    steps = by_step(result)
    for name in circle:
        assert steps[name].score == 0.0 and steps[name].carried_forward == [], name
    assert result.score == 100.0 - sum(POINTS[name] for name in circle)


def test_right_answers_keep_every_point_and_each_mistake_costs_its_share_on_any_seed() -> None:
    """A fast subset of scripts/seed_sweep.py, which runs 200 grading seeds."""
    chosen = subjects()
    assert {"correct/textbook", "correct/clipped", "correct/loops"} <= {s.name for s in chosen}
    assert sum(s.name.startswith("buggy/properties/") for s in chosen) == len(property_mistakes())
    found, graded = off_their_score(chosen, [3, 1031])
    assert graded == 2 * len(chosen) and found == []


@pytest.mark.parametrize("seed", range(0, 60, 6))
def test_the_grader_draws_no_input_where_a_taught_formula_is_undefined(seed) -> None:
    # e.g. p exactly 1 in backward, where the notes' ∂E/∂p · ∂p/∂z is ∞ · 0: a right
    # submission could not pass there, whatever the tolerance.
    from backprop_lab.graders.cases import spread

    for step in Course().steps.values():
        for case in build_corpus([step], seed).cases[step.id]:
            for form in step.forms:
                gaps = spread(case.expected, form(**case.args))
                for gap in gaps.values() if isinstance(gaps, dict) else [gaps]:
                    assert np.all(np.isfinite(gap)), (step.id, form.__name__, case.property)


def test_a_number_returned_as_a_0_d_array_earns_the_step() -> None:
    """np.array(x) of a number is a number: it used to travel as an array of shape (1,) and
    fail as "not a number". Found by tests/test_protocol_frames.py's generator."""
    as_0_d = (
        "def cross_entropy(P, Y):\n"
        "    return np.array(np.mean(-np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P), axis=1)))\n"
    )
    with Grader(GradingConfig()) as grader:
        steps = by_step(grader.grade(submission("zero_d", replace_function(BASE, "cross_entropy", as_0_d))))
    assert steps["cross_entropy"].score == POINTS["cross_entropy"]
    assert steps["cross_entropy"].status == "passed"
