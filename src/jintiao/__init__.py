"""JinTiao (金调通): financial dispute diversified resolution, end to end."""

__version__ = "0.1.0"
