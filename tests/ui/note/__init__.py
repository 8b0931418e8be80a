"""Tests of the note window parts."""
