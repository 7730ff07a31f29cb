"""Experiment views: the experimenter's pages, events and the public showcase."""
