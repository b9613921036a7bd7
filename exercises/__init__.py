"""The catalog of derivation steps and the generator of student assignments."""
