"""The simulation: one day of the contact center as a SimPy event model, out as records."""
