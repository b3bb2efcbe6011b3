"""callsim: call-center simulator and staffing planner."""
