"""Calibration: from a real call log to a scenario, and backtests of a scenario against the log."""
