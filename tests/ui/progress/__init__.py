"""Tests of the progress window parts."""
