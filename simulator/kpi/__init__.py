"""KPIs: from per-call records to the figures of an ACD report, with confidence intervals."""
