"""Replications: many independent simulated days, run by an executor, summed up."""
