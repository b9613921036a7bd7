"""The reference: the assignment, the named 2-2-2 network, a general MLP, gradient checks."""
