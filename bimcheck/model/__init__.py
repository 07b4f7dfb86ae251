"""The model access layer: open IFC files once and index what requirements need."""
