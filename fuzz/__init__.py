"""Mutation fuzzer for bimcheck: broken and hostile IFC, IDS and YAML through the real CLI (README.md)."""
