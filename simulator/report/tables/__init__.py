"""CSV tables and their data dictionaries: plain data, one row per figure, units in a
column or in the column name, every KPI's words from the registry (`run`: a run's
tables, `plan`: a staffing plan's, `compare`: scenarios compared and Erlang against
the simulation; `common`: what they share).

Units: "fraction" columns hold 0-1 values (0.8 is 80%), "s" seconds, "calls" call
counts, "agents" agents logged in. Fractions only become percentages on a page.
"""
