"""Measurement reports that tests add and the test run prints at the end (see conftest.py)."""

REPORTS: list[str] = []
