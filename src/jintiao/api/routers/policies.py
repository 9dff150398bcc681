"""Policy versions over HTTP (issue 21 §5): each version of the rules the caller may read,
with its validity dates, every value and each value's legal source, and what it changed
against the version in force when it was published. Who reads which node is
orgs.selectors.policy_nodes_visible_to's; the rows are policies.selectors'; this module
parses and shapes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field, StrictBool, StrictInt

from jintiao import clock
from jintiao.api.routers.disputes import ERRORS
from jintiao.api.schemas import Moment, OrgRef
from jintiao.orgs.models import User
from jintiao.policies import selectors
from jintiao.policies.models import PolicyVersion

router = Router(tags=["policies"])


class PolicyLimitOut(Schema):
    amount: int = Field(description="期间数")
    unit: str = Field(description="days（日）/ working_days（工作日）/ months（月）/ years（年）")


class PolicyRuleOut(Schema):
    field: str = Field(description="规则项的英文名，如 mediation_simple_limit")
    label: str = Field(description="规则项的中文名")
    kind: str = Field(description="limit 期限 / rate 比例（小数，0.24 即 24%）/ amount 金额（元）/ "
                                  "count 次数或月数 / hour 时刻 / quantum 计算精度 / "
                                  "choice 选项 / flag 是否")
    value: StrictBool | StrictInt | PolicyLimitOut | str = Field(
        description="存储的值：期限为 {amount, unit}，比例和金额为字符串小数")
    text: str = Field(description="值的中文表述，如“7个工作日”“24%”")
    source: str = Field(description="该项规则的法律或政策依据")


class PolicyChangeOut(Schema):
    field: str
    label: str
    old: str = Field(description="发布时生效版本的值（中文表述）")
    new: str = Field(description="本版本的值（中文表述）")
    old_source: str
    new_source: str


class PolicyVersionOut(Schema):
    id: int
    organization: OrgRef
    version: int
    name: str
    valid_from: dt.date
    valid_to: dt.date | None = Field(description="失效日期（不含当日），长期有效为 null")
    in_force: bool = Field(description="今天（北京时间）是否在有效期内")
    source: str = Field(description="本版本的发布依据（如采纳它的文件）")
    published_by: str | None = Field(description="发布人；系统初始化的版本为 null")
    published_at: Moment | None
    closes: int | None = Field(description="发布时结束的本单位上一版本号")
    withdrawn_at: Moment | None = Field(
        description="在生效前撤回的时间；撤回的版本保留记录，不适用于任何纠纷，未撤回为 null")
    withdrawn_reason: str
    rules: list[PolicyRuleOut]
    changes: list[PolicyChangeOut] = Field(
        description="与发布时在本单位生效的版本（本单位的或继承上级的）相比，值或依据有变化的规则项")


class PolicyListOut(Schema):
    count: int
    items: list[PolicyVersionOut]


class PoliciesQuery(Schema):
    organization_id: Annotated[int, Field(ge=1, le=2**53, description=(
        "只列出该单位自己发布的版本（不含继承自上级的）"))] | None = None
    in_force_on: dt.date | None = Field(None, description="只列出在该日有效的版本（不含撤回的）")


def version_out(row: PolicyVersion, today: dt.date) -> PolicyVersionOut:
    org = row.organization
    return PolicyVersionOut(
        id=row.pk, organization=OrgRef(id=org.pk, name=org.name, kind=org.kind),
        version=row.version, name=str(row.data.get("name", "")), valid_from=row.valid_from,
        valid_to=row.valid_to,
        in_force=row.withdrawn_at is None and row.valid_from <= today and (
            row.valid_to is None or today < row.valid_to),
        source=row.source, published_by=str(row.published_by) if row.published_by else None,
        published_at=row.published_at, closes=row.closes, withdrawn_at=row.withdrawn_at,
        withdrawn_reason=row.withdrawn_reason,
        rules=[PolicyRuleOut(field=r.field, label=r.label, kind=r.kind, value=r.value,
                             text=r.text, source=r.source)
               for r in selectors.rule_values(row)],
        changes=[PolicyChangeOut(**c) for c in row.changes or []])


@router.get("/policies", response={200: PolicyListOut, **ERRORS}, operation_id="policies_list")
def policies_list(request: HttpRequest, query: Query[PoliciesQuery]) -> PolicyListOut:
    """The versions of the rules (期限、标准、上限) the caller may read, by node and
    version: each with its validity dates (``valid_to`` exclusive), every value with its
    legal source, and what it changed when it was published. A node without its own
    version inherits the nearest node's above it.

    Staff read the versions of their own node, of the nodes above it and of those below
    it; the platform's administrators read all; a party reads none. An
    ``organization_id`` the caller may not read (or that does not exist) is 404
    ``not_found``."""
    viewer: User = request.auth  # type: ignore[attr-defined]
    node = (selectors.policy_node_for(viewer, query.organization_id)
            if query.organization_id is not None else None)
    rows = selectors.policy_versions_visible_to(viewer, organization=node)
    if query.in_force_on is not None:
        on = query.in_force_on
        rows = rows.filter(valid_from__lte=on, withdrawn_at__isnull=True).exclude(
            valid_to__lte=on)
    today = clock.today()
    items = [version_out(row, today) for row in rows]
    return PolicyListOut(count=len(items), items=items)
