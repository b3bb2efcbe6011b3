"""The simulation: one day of the contact center as a SimPy event model, out as records."""

# What can play a day (`simulator.sim.fast.day_engine`): here, so that the command line
# checks an --engine without loading an engine.
ENGINES = ("auto", "simpy", "fast")
