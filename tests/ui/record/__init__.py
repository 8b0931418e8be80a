"""Tests of the record window parts."""
