"""bimcheck: check supplier IFC models against functional requirements for procurement."""

__version__ = "0.1.0"
