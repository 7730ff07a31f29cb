"""Experiment services, one module per part of the experiment's life.

lifecycle: creation from a selection, status, milestone plan; reports:
progress reports, measurements, comments, evaluation; events: programme
events and registrations.
"""
