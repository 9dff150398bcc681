"""Workbench views, one module per area."""
