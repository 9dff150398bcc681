"""The rules of the trade as pure Python: no Django, no I/O, no clock.

Callers pass in dates, policies and calendars; functions return values or raise
:class:`jintiao.domain.errors.DomainError` subclasses with stable codes.
"""
