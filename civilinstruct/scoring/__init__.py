"""Scoring a program: the 0-100 program score (`program`), the MGHR reward (`reward`, composing `format` for r_fmt,
`ast_coverage` for r_ast and `execution` for r_exec), and the taxonomy of a run's outcome (`taxonomy`) that the
benchmark and Bug-CoT both label failures with."""
