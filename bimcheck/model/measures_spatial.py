"""Measures that combine an element with related ones, e.g. the glazed area of a room."""

from __future__ import annotations
