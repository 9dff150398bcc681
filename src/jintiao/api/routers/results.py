"""The results file over HTTP (结果回传, issue 20 §7): what became of each of an
institution's disputes, by its own reference, for the bank's system to pull what changed
since its last read. The rows and who may read them are supervision.selectors' and
disputes.access's; this module parses and shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from jintiao import clock, paging
from jintiao.api.routers.disputes import ERRORS, DisputeId
from jintiao.api.schemas import Moment, OrgRef
from jintiao.orgs.models import User
from jintiao.supervision import selectors, services
from jintiao.supervision.selectors import ResultRow

router = Router(tags=["results"])


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


class DebtorOut(Schema):
    name: str = Field(description="自然人为脱敏姓名（张*），单位为登记名称")
    id_masked: str = Field(description="脱敏的证件号码")


class ResultAgreementOut(Schema):
    version: int
    effective_on: dt.date | None
    total: str = Field(description="协议还款总额（元）")
    instalments: int = Field(description="期数（含首付）")
    down_payment: str | None = Field(description="首付金额（元），无首付为 null")
    first_due_on: dt.date
    last_due_on: dt.date
    monthly_amount: str = Field(description="每期还款额（元）：首付之外最常见的一期金额")


class ResultConfirmationOut(Schema):
    status: str = Field(description="filed / accepted / confirmed / rejected")
    status_label: str
    court: str
    case_number: str = Field(description="法院的司法确认案号，未立案为空")
    ruled_on: dt.date | None


class ResultPaymentsOut(Schema):
    count: int
    total: str = Field(description="已登记且未冲正的还款合计（元）")
    last_paid_on: dt.date | None


class ResultEnforcementOut(Schema):
    status: str = Field(description="prepared（违约后已生成，待申请）/ filed（已申请强制执行）")
    status_label: str
    amount: str = Field(description="未履行金额（元）")
    as_of: dt.date
    last_day: dt.date = Field(description="申请执行期限")
    applied_on: dt.date | None


class ResultOut(Schema):
    dispute_id: int
    number: str
    external_ref: str = Field(description="本机构业务编号（登记时的 external_ref），未提供为空")
    institution: OrgRef
    received_on: dt.date
    state: str
    state_label: str
    outcome: str = Field(description="pending / declined / settled / failed / unreachable / "
                                     "withdrawn")
    outcome_label: str
    concluded_on: dt.date | None
    changed_at: Moment | None = Field(description="最近一次变动（案件日志最后一条事件）的时间")
    debtors: list[DebtorOut]
    agreement: ResultAgreementOut | None
    confirmation: ResultConfirmationOut | None
    payments: ResultPaymentsOut
    in_default: bool = Field(description="处于违约或强制执行中（加速到期生效）")
    defaulted_on: dt.date | None
    accelerated_on: dt.date | None
    enforcement: ResultEnforcementOut | None


class ResultListOut(Schema):
    institution: OrgRef
    changed_since: Moment | None
    as_of: Moment = Field(description=(
        "下次读取时作 changed_since 的时间：本次读取时间前推10分钟（批量登记等在事件时间之后"
        "才提交，前推以免遗漏；重读到的同一纠纷按机构业务编号去重即可）"))
    count: int
    count_estimated: bool
    next_cursor: str | None
    items: list[ResultOut]


class ResultsQuery(Schema):
    changed_since: Annotated[str, Field(max_length=40, description=(
        "只列出此后有变动的纠纷：日期（2027-01-20，即当日零时）或日期时间"
        "（2027-01-20T08:00:00，未写时区的按北京时间；或带时区 +08:00），不得晚于当前时间"),
        examples=["2027-01-20", "2027-01-20T08:00:00+08:00"])] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[str, Field(max_length=200, description=(
        "上一页的 next_cursor：从其最后一行之后继续（按收案日期新→旧）"))] | None = None


def result_out(r: ResultRow) -> ResultOut:
    a, c, p, e = r.agreement, r.confirmation, r.payments, r.enforcement
    return ResultOut(
        dispute_id=r.dispute_id, number=r.number, external_ref=r.external_ref,
        institution=OrgRef(id=r.institution_id, name=r.institution,
                           kind=r.institution_kind),
        received_on=r.received_on, state=r.state, state_label=r.state_label,
        outcome=r.outcome, outcome_label=r.outcome_label, concluded_on=r.concluded_on,
        changed_at=r.changed_at,
        debtors=[DebtorOut(name=d.name, id_masked=d.id_masked) for d in r.debtors],
        agreement=None if a is None else ResultAgreementOut(
            version=a.version, effective_on=a.effective_on, total=_money(a.total),
            instalments=a.instalments,
            down_payment=None if a.down_payment is None else _money(a.down_payment),
            first_due_on=a.first_due_on, last_due_on=a.last_due_on,
            monthly_amount=_money(a.monthly_amount)),
        confirmation=None if c is None else ResultConfirmationOut(
            status=c.status, status_label=c.status_label, court=c.court,
            case_number=c.case_number, ruled_on=c.ruled_on),
        payments=ResultPaymentsOut(count=p.count, total=_money(p.total),
                                   last_paid_on=p.last_paid_on),
        in_default=r.in_default, defaulted_on=r.defaulted_on, accelerated_on=r.accelerated_on,
        enforcement=None if e is None else ResultEnforcementOut(
            status=e.status, status_label=e.status_label, amount=_money(e.amount),
            as_of=e.as_of, last_day=e.last_day, applied_on=e.applied_on))


EXAMPLE = {
    "institution": {"id": 7, "name": "某银行黔东南分行", "kind": "institution"},
    "changed_since": "2027-01-20T00:00:00+08:00", "as_of": "2027-01-21T09:30:00+08:00",
    "count": 1, "count_estimated": False, "next_cursor": None,
    "items": [{
        "dispute_id": 42, "number": "黔东南凯里金调〔2026〕第0042号",
        "external_ref": "KL-2026-000123",
        "institution": {"id": 9, "name": "某银行凯里支行", "kind": "branch"},
        "received_on": "2026-07-01", "state": "performing", "state_label": "履行中",
        "outcome": "settled", "outcome_label": "调解成功", "concluded_on": "2026-07-20",
        "changed_at": "2027-01-20T10:02:11+08:00",
        "debtors": [{"name": "张*", "id_masked": "520103********1234"}],
        "agreement": {"version": 1, "effective_on": "2026-07-20", "total": "231208.40",
                      "instalments": 12, "down_payment": None, "first_due_on": "2027-01-20",
                      "last_due_on": "2027-12-20", "monthly_amount": "19267.36"},
        "confirmation": {"status": "confirmed", "status_label": "裁定确认协议有效",
                         "court": "凯里市人民法院", "case_number": "（2026）黔2601民特12号",
                         "ruled_on": "2026-07-28"},
        "payments": {"count": 1, "total": "19267.36", "last_paid_on": "2027-01-20"},
        "in_default": False, "defaulted_on": None, "accelerated_on": None,
        "enforcement": None}],
}


@router.get("/institutions/{institution_id}/results", response={200: ResultListOut, **ERRORS},
            operation_id="results_list",
            openapi_extra={"responses": {200: {"description": "结果回传（按收案日期新→旧）",
                                               "content": {"application/json": {
                                                   "example": EXAMPLE}}}}})
def results_list(request: HttpRequest, institution_id: DisputeId,
                 query: Query[ResultsQuery]) -> ResultListOut:
    """The results file (结果回传): what became of each dispute of the institution and of
    its branches, by its own reference — the state, the outcome of mediation, the agreed
    terms in brief, the court's confirmation case number, the payments recorded, default
    and enforcement — newest received first. ``changed_since`` keeps those changed at or
    after it (a date is its first moment in Shanghai; a date and time without an offset
    is Shanghai time); take ``as_of`` as the next read's ``changed_since``. Page through
    with ``cursor`` (``next_cursor`` is null on the last page).

    For the institution's agents and approvers (or those of a node above it) and the
    platform's administrators; anyone else 403 ``permission_denied``, an id that is no
    institution 404 ``not_found``; a ``changed_since`` that is no date 400
    ``date_invalid``, one to come 400 ``date_in_future``; a cursor the list did not give
    400 ``cursor_invalid``. Identity numbers are masked, as everywhere."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    now = clock.now()
    institution = selectors.results_institution_for(viewer, institution_id)
    since = selectors.changed_since_of(query.changed_since, now)
    services.figures_refresh()  # the outcome and the dates of default are the figures'
    rows = selectors.results(viewer, institution, changed_since=since)
    counted = paging.capped_count(rows)
    page, after = selectors.result_page(rows, query.cursor, query.limit)
    return ResultListOut(
        institution=OrgRef(id=institution.pk, name=institution.name, kind=institution.kind),
        changed_since=since, as_of=selectors.next_changed_since(now), count=counted.count,
        count_estimated=counted.estimated, next_cursor=after,
        items=[result_out(r) for r in page])

