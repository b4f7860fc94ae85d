"""Benchmarks of callflow-kit: `make bench` runs them and writes docs/benchmarks.md.

`python -m bench.run` load-tests the mock server against Stoplight Prism and a bare
Starlette endpoint, measures it at several store sizes, times the build and
profiles the mock under load. `bench/lint/` benchmarks the linter.
"""
