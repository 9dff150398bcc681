"""Supervision's reads, by what they answer: who may read (access), the figures
(statistics), the ledger, the spot checks and the dashboard. Re-exported here so callers
say ``selectors.statistics(...)``."""

from jintiao.supervision.selectors.access import (
    REPORT_KINDS,
    SUPERVISING,
    may_supervise,
    report_node_for,
    report_nodes,
)
from jintiao.supervision.selectors.dashboard import Dashboard, Overdue, dashboard
from jintiao.supervision.selectors.ledger import (
    LEDGER_COLUMNS,
    LedgerFilter,
    LedgerRow,
    ledger,
    ledger_rows,
    ledger_values,
)
from jintiao.supervision.selectors.spotchecks import (
    FindingsRow,
    findings_summary,
    spot_check_for,
    spot_check_items,
    spot_checks_for,
)
from jintiao.supervision.selectors.statistics import (
    BREAKDOWNS,
    BY_KEY,
    MEASURES,
    STAGE_FIELD,
    TREND_KEYS,
    FunnelRow,
    Group,
    Measure,
    Statistics,
    Tally,
    figures_under,
    statistics,
    tally,
    tally_between,
    touching,
    trace,
    trace_rule,
    trend,
)

__all__ = [
    "BREAKDOWNS", "BY_KEY", "LEDGER_COLUMNS", "MEASURES", "REPORT_KINDS", "STAGE_FIELD",
    "SUPERVISING", "TREND_KEYS", "Dashboard", "FindingsRow", "FunnelRow", "Group",
    "LedgerFilter", "LedgerRow", "Measure", "Overdue", "Statistics", "Tally", "dashboard",
    "figures_under", "findings_summary", "ledger", "ledger_rows", "ledger_values",
    "may_supervise", "report_node_for", "report_nodes", "spot_check_for",
    "spot_check_items", "spot_checks_for", "statistics", "tally", "tally_between", "touching",
    "trace", "trace_rule", "trend",
]
