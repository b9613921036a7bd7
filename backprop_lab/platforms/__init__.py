"""Grading where courses grade: what `generate` writes for Gradescope and for GitHub Classroom.

Each module follows its platform's own contract: `gradescope` writes the autograder zip
and runs inside it; `github_classroom` writes the template repository whose workflow
calls `backprop-lab check --step` (see `step_check`).
"""
