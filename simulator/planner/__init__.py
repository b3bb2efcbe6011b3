"""The planner: staffing requirements, shifts, and plans compared with the simulation."""
