"""Workbench forms, one module per area."""
