"""Helpers shared by the reliability and security suites (processes, data, kills)."""
