"""Grading student submissions: sandboxed runner, checks, scoring, feedback, CLI."""
