"""Build-time half of callflow-kit: Kazoo doc tables to JSON Schema, OpenAPI, code."""
