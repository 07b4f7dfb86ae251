"""Requirement model, IDS and YAML loaders, facets and value matching."""
