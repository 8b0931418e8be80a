"""Massage Chart: clinical massage charting on a named-region body atlas."""

__version__ = "0.1.0"
