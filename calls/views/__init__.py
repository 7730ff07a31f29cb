"""Views of the calls, one module per part of the journey."""
