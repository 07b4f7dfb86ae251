"""Procurement workflows on results: tender evaluation, diffs between iterations, baselines, export."""
