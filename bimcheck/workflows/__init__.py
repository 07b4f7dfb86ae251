"""Workflows that compose the engine and the reporters: verification now, batches later."""
