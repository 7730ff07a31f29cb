"""The 18-month experiments in the districts (built on by the experiments issue)."""
