"""``jintiao calc …``: the domain calculators for people and, with ``--json``, for machines.

Each command parses its arguments with the domain's own parsers (so "25.03万" works here
as it does in a form), calls one domain function and prints the answer. JSON output is one
object; amounts are strings with two decimals and dates are ISO.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from jintiao import clock
from jintiao.domain import (
    calendar,
    claims,
    explain,
    fees,
    identity,
    performance,
    periods,
    plans,
    schedules,
)
from jintiao.domain.errors import DomainError
from jintiao.domain.money import amount_in_words, format_amount, parse_amount, parse_rate
from jintiao.domain.policy import DEFAULT_POLICY, FIELD_LABELS, SOURCES

WEEKDAYS = "一二三四五六日"


# --- argument types ------------------------------------------------------------------------

def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期格式应为 YYYY-MM-DD：{text} (date must be YYYY-MM-DD)"
        ) from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"应为非负整数：{text} (must be a non-negative whole number)"
        )
    return value


def _domain_type(parse: Callable[[str], Decimal]) -> Callable[[str], Decimal]:
    """Wrap a domain parser so argparse shows the domain's own bilingual message."""

    def convert(text: str) -> Decimal:
        try:
            return parse(text)
        except DomainError as exc:
            raise argparse.ArgumentTypeError(f"{exc.message} ({exc.message_en})") from None

    convert.__name__ = parse.__name__
    return convert


_amount = _domain_type(parse_amount)
_rate = _domain_type(parse_rate)


# --- output --------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _emit_json(payload: dict[str, Any]) -> None:
    print(json.dumps(_jsonable(payload), ensure_ascii=False, sort_keys=False))


def _print_explained(*explained: explain.Explanation) -> None:
    """``--explain`` in text: each figure's working after the answer."""
    for x in explained:
        print()
        print("计算说明")
        for line in x.lines():
            print(f"  {line}")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _day(d: dt.date) -> str:
    return f"{d.isoformat()}（星期{WEEKDAYS[d.weekday()]}）"


# --- commands ------------------------------------------------------------------------------

def cmd_fee(args: argparse.Namespace) -> int:
    policy = DEFAULT_POLICY
    procedure = fees.Procedure(args.procedure.replace("-", "_"))
    quantum = Decimal("1") if args.round == "yuan" else policy.fee_quantum
    acceptance = fees.acceptance_fee(
        args.amount, procedure=procedure, quantum=quantum,
        stack_halvings=args.stack_halvings or policy.stack_fee_halvings,
    )
    enforcement = fees.enforcement_fee(args.amount, quantum=quantum)
    preservation = fees.preservation_fee(args.amount, quantum=quantum)
    saving = fees.litigation_saving(
        args.amount, lawyer_fee_rate=policy.lawyer_fee_rate,
        lawyer_fee_minimum=policy.lawyer_fee_minimum, quantum=quantum,
    )
    if args.json:
        _emit_json({
            "amount": _money(args.amount),
            "procedure": procedure.value,
            "acceptance_fee": _money(acceptance.fee),
            "acceptance_fee_full": _money(acceptance.full_fee),
            "halvings": acceptance.halvings,
            "enforcement_fee": _money(enforcement.fee),
            "preservation_fee": _money(preservation.fee),
            "confirmation_fee": _money(fees.confirmation_fee()),
            "saving": saving.as_dict(),
            "breakdown": acceptance.as_dict()["lines"],
            "source": acceptance.source,
            **({"explain": {"acceptance_fee": acceptance.explain().as_dict(),
                            "enforcement_fee": enforcement.explain().as_dict(),
                            "preservation_fee": preservation.explain().as_dict(),
                            "saving": saving.explain().as_dict()}}
               if args.explain else {}),
        })
        return 0
    print(f"诉讼标的额：{format_amount(args.amount)} 元（{amount_in_words(args.amount)}）")
    print(f"案件受理费（{procedure.label}）：{format_amount(acceptance.fee)} 元", end="")
    if acceptance.halvings:
        print(f"（全额 {format_amount(acceptance.full_fee)} 元，减半 {acceptance.halvings} 次）")
    else:
        print()
    for line in acceptance.lines:
        upper = "以上" if line.upper is None else f"至 {format_amount(line.upper)}"
        rate = "按件" if line.rate is None else f"{line.rate * 100:.1f}%"
        print(f"  {format_amount(line.lower)} {upper}：{rate}，计 {line.fee:.4f}")
    print(f"申请执行费：{format_amount(enforcement.fee)} 元（执行后收取，由被执行人负担）")
    print(f"财产保全费：{format_amount(preservation.fee)} 元")
    print(f"司法确认：{format_amount(fees.confirmation_fee())} 元（不收费）")
    print(f"调解结案节约诉讼成本（估算）：{format_amount(saving.total)} 元"
          f"（受理费 {format_amount(saving.acceptance_fee)} + 律师费 "
          f"{format_amount(saving.lawyer_fee)}）")
    print(f"依据：{acceptance.source}")
    if args.explain:
        _print_explained(acceptance.explain(), enforcement.explain(), preservation.explain(),
                         saving.explain())
    return 0


def cmd_words(args: argparse.Namespace) -> int:
    words = amount_in_words(
        args.amount,
        zheng_after_jiao=not args.no_zheng_after_jiao,
        zero_after_wan=args.zero_after_wan,
        zero_before_jiao=args.zero_before_jiao,
        prefix=args.prefix,
    )
    if args.json:
        _emit_json({"amount": _money(args.amount), "formatted": format_amount(args.amount),
                    "words": words})
    else:
        print(words)
    return 0


_LIMIT_RULES = sorted(name for name in FIELD_LABELS
                     if isinstance(getattr(DEFAULT_POLICY, name, None), periods.TimeLimit))


def cmd_deadline(args: argparse.Namespace) -> int:
    basis = None
    if args.rule is not None:
        limit = getattr(DEFAULT_POLICY, args.rule)
        basis = explain.LimitBasis(rule=args.rule, label=FIELD_LABELS[args.rule],
                                   source=SOURCES.get(args.rule, ""),
                                   policy_name=DEFAULT_POLICY.name,
                                   policy_version=DEFAULT_POLICY.version)
    for unit, value in (
        (periods.Unit.WORKING_DAYS, args.working_days), (periods.Unit.DAYS, args.days),
        (periods.Unit.MONTHS, args.months), (periods.Unit.YEARS, args.years),
    ):
        if value is not None:
            limit = periods.TimeLimit(value, unit)
    working = calendar.official_calendar()
    result = periods.deadline(args.start, limit, working)
    explained = explain.explain_deadline(result, working, basis) if args.explain else None
    if args.json:
        _emit_json({**result.as_dict(),
                    **({"explain": explained.as_dict()} if explained else {})})
        return 0
    print(f"起算日：{_day(result.start)}（当日不计入）")
    print(f"期间：{result.limit}")
    if result.raw_end != result.due_on:
        print(f"期间届满日：{_day(result.raw_end)}")
    print(f"期限届满日：{_day(result.due_on)}{'（暂定）' if result.provisional else ''}")
    for reason in result.reasons:
        print(f"说明：{reason}")
    if explained:
        _print_explained(explained)
    return 0


def cmd_afford(args: argparse.Namespace) -> int:
    policy = DEFAULT_POLICY
    given = {"living_minimum_monthly": args.living_minimum,
             "max_debt_service_ratio": args.max_ratio, "minimum_wage_monthly": args.minimum_wage}
    policy = policy.replace(**{k: v for k, v in given.items() if v is not None})

    def source(name: str, flag: str) -> str:
        if given[name] is not None:
            return f"命令行参数 {flag}"
        return f"《{policy.name}》第{policy.version}版：{SOURCES[name]}"

    if args.enterprise and args.cash_flow is None:
        raise plans.PlanDesignInvalid("企业债务人须给出 --cash-flow（月经营现金流）",
                                      "an enterprise needs --cash-flow")
    budget = plans.DebtorBudget(
        monthly_income=None if args.enterprise else args.income,
        other_obligations=args.obligations, dependants=args.dependants,
        entity=args.enterprise, monthly_cash_flow=args.cash_flow if args.enterprise else None)
    check = plans.assess_budget(args.payment, budget, policy=policy)
    verdict = check.affordability
    if verdict is None:  # an enterprise without a cash flow: refused above
        raise plans.PlanDesignInvalid(plans.CASH_FLOW_MISSING, "no cash flow declared")
    explained = explain.explain_affordability(
        verdict, income_presumed=check.income_presumed,
        living_minimum_source=source("living_minimum_monthly", "--living-minimum"),
        max_ratio_source=source("max_debt_service_ratio", "--max-ratio"),
        income_source=source("minimum_wage_monthly", "--minimum-wage"))
    if args.json:
        _emit_json({"payment": _money(verdict.payment), "affordable": verdict.affordable,
                    "max_payment": _money(verdict.max_payment),
                    "income_presumed": check.income_presumed,
                    "reasons": list(verdict.reasons),
                    **({"explain": explained.as_dict()} if args.explain else {})})
        return 0 if verdict.affordable else 1
    print(f"月还款 {format_amount(verdict.payment)} 元："
          f"{'可负担' if verdict.affordable else '不可负担'}；每月最多可还 "
          f"{format_amount(verdict.max_payment)} 元")
    if check.income_presumed:
        print(f"未给出月收入，按月最低工资标准 {format_amount(verdict.monthly_income)} 元估算")
    for reason in verdict.reasons:
        print(f"原因：{reason}")
    if args.explain:
        _print_explained(explained)
    return 0 if verdict.affordable else 1


def _payment(text: str) -> performance.Paid:
    """``REF:YYYY-MM-DD:AMOUNT``, a payment as the institution reports it."""
    try:
        reference, day, amount = text.rsplit(":", 2)
        return performance.Paid(reference.strip(), dt.date.fromisoformat(day),
                                parse_amount(amount))
    except (ValueError, DomainError):
        raise argparse.ArgumentTypeError(
            f"还款应写作 流水号:YYYY-MM-DD:金额：{text} (a payment is REF:YYYY-MM-DD:AMOUNT)"
        ) from None


def _dues(path: str) -> list[performance.Due]:
    """The instalments of ``calc schedule --json`` (a file, or ``-`` for standard input)."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
        rows = data["instalments"] if isinstance(data, dict) else data
        return [performance.Due(int(r["number"]), dt.date.fromisoformat(r["due_on"]),
                                Decimal(str(r.get("arrears", "0"))),
                                Decimal(str(r.get("interest", "0"))),
                                Decimal(str(r["principal"]))) for r in rows]
    except (OSError, ValueError, KeyError, TypeError, ArithmeticError):
        raise performance.PerformanceInvalid(
            f"无法读取还款计划：{path}（应为 jintiao calc schedule --json 的输出）",
            f"cannot read the schedule {path} (expected `calc schedule --json` output)",
        ) from None


def cmd_owed(args: argparse.Namespace) -> int:
    dues = _dues(args.schedule)
    order = tuple(performance.Part(p) for p in args.order.split(","))
    on = args.as_of or clock.today()
    if args.accelerated_on is None:
        explained = explain.explain_account(dues, args.paid, on, order)
    else:
        explained = explain.explain_outstanding(
            dues, args.paid, as_of=on, accelerated_on=args.accelerated_on, order=order,
            revived=args.revived, costs=args.costs, late_daily_rate=args.late_rate,
            late_rate_source=SOURCES["late_performance_daily_rate"] if args.late_rate else "")
    facts = explained.facts.as_dict()
    if args.json:
        _emit_json({**facts, **({"explain": explained.as_dict()} if args.explain else {})})
        return 0
    print(f"{explained.title}（计算至 {on.isoformat()}）：{explained.result}")
    if args.explain:
        _print_explained(explained)
    return 0


_METHODS = {m.value.replace("_", "-"): m for m in schedules.Method}


def cmd_schedule(args: argparse.Namespace) -> int:
    method = _METHODS[args.method]
    if (args.total is None) == (args.principal is None):
        raise schedules.PlanInvalid(
            "请给出 --total（等额分期、一次性清偿）或 --principal（计息方式）之一",
            "give exactly one of --total or --principal",
        )
    terms = schedules.PlanTerms(
        method=method,
        principal=args.total if args.total is not None else args.principal,
        periods=args.periods,
        first_due=args.first_due,
        annual_rate=args.annual_rate or Decimal(0),
        due_day=args.due_day,
        down_payment=args.down_payment or Decimal(0),
        down_payment_due=args.down_payment_due,
        grace_periods=args.grace,
        round_to=args.round_to or Decimal("0.01"),
        interest_from=args.interest_from,
    )
    schedule = schedules.build_schedule(terms)
    rows = [
        {"number": i.number, "due_on": i.due_on, "principal": _money(i.principal),
         "interest": _money(i.interest), "arrears": _money(i.arrears),
         "payment": _money(i.payment), "remaining": _money(i.remaining)}
        for i in schedule.instalments
    ]
    totals = {
        "principal": _money(schedule.terms.principal),
        "financed_principal": _money(schedule.financed_principal),
        "total_interest": _money(schedule.total_interest),
        "total_payment": _money(schedule.total_payment),
        "regular_payment": _money(schedule.regular_payment),
        "last_due_on": schedule.last_due_on,
    }
    if args.json:
        _emit_json({"method": method.value, "annual_rate": str(terms.annual_rate),
                    "periods": terms.periods, **totals, "instalments": rows})
        return 0
    print(f"{method.label}，{terms.periods} 期，年利率 {terms.annual_rate * 100:.4g}%")
    print(f"{'期次':>4} {'还款日':>10} {'本金':>14} {'利息':>12} {'应还金额':>14} {'剩余本金':>14}")
    for i in schedule.instalments:
        print(f"{i.number:>6} {i.due_on.isoformat():>12} {format_amount(i.principal):>16}"
              f" {format_amount(i.interest + i.arrears):>14} {format_amount(i.payment):>16}"
              f" {format_amount(i.remaining):>16}")
    print(f"合计应还：{format_amount(schedule.total_payment)} 元"
          f"（{amount_in_words(schedule.total_payment)}），其中利息 "
          f"{format_amount(schedule.total_interest)} 元")
    return 0


def cmd_id(args: argparse.Namespace) -> int:
    # checked as of today unless asked otherwise: a birth still to come is invalid
    result = identity.identify(args.number, on=args.on or clock.today())
    if args.json:
        _emit_json(result.as_dict())
        return 0 if result.valid else 1
    verdict = "有效" if result.valid else "无效"
    print(f"{result.kind.label}：{result.masked or result.number} — {verdict}")
    for label, value in (("出生日期", result.birth_date), ("性别", result.sex),
                         ("地区", result.region), ("登记管理部门", result.registration_authority),
                         ("机构类别", result.entity_type)):
        if value:
            print(f"{label}：{value}")
    for problem in result.problems:
        print(f"原因：{problem.message} ({problem.message_en})")
    for warning in result.warnings:
        print(f"提示：{warning.message} ({warning.message_en})")
    return 0 if result.valid else 1


def cmd_interest(args: argparse.Namespace) -> int:
    day_count = claims.DayCount(f"actual/{args.day_count}")
    interest = claims.accrue_interest(args.balance, args.annual_rate, args.start, args.end,
                                      day_count)
    days = (args.end - args.start).days
    if args.json:
        _emit_json({"balance": _money(args.balance), "annual_rate": str(args.annual_rate),
                    "start": args.start, "end": args.end, "days": days,
                    "day_count": day_count.value, "interest": _money(interest)})
        return 0
    print(f"{format_amount(args.balance)} 元 × {args.annual_rate * 100:.4g}% × {days} 天 "
          f"/ {args.day_count} = {format_amount(interest)} 元")
    return 0


def cmd_cap(args: argparse.Namespace) -> int:
    claim = claims.ClaimBreakdown(
        as_of=args.as_of, principal=args.principal, interest=args.interest,
        penalty_interest=args.penalty_interest, compound_interest=args.compound_interest,
        liquidated_damages=args.liquidated_damages, fees=args.fees,
    )
    cap_rate = args.cap if args.cap is not None else DEFAULT_POLICY.annual_cost_cap
    check = claims.check_cost_cap(claim, cap_rate=cap_rate, period_start=args.start,
                                  day_count=claims.DayCount(f"actual/{args.day_count}"))
    payload = {
        "principal": _money(check.principal), "charges": _money(check.charges),
        "allowed": _money(check.allowed), "excess": _money(check.excess),
        "days": check.days, "cap_rate": str(check.cap_rate),
        "annualised_rate": str(check.annualised_rate),
    }
    if args.json:
        _emit_json(payload)
        return 0
    print(f"利息、罚息、复利、违约金及费用合计 {format_amount(check.charges)} 元，"
          f"{check.days} 天折合年化 {check.annualised_rate * 100:.2f}%")
    print(f"按年 {check.cap_rate * 100:.4g}% 上限可主张 {format_amount(check.allowed)} 元，"
          f"超出 {format_amount(check.excess)} 元")
    return 0


# --- wiring --------------------------------------------------------------------------------

def register(sub: Any) -> None:
    calc = sub.add_parser("calc", help="领域计算器（金额大写、诉讼费、期限、还款计划、证件号码）")
    cmds = calc.add_subparsers(dest="calc_command", required=True, parser_class=type(calc))

    def command(name: str, help_: str, handler: Callable[[argparse.Namespace], int],
                explained: bool = False) -> Any:
        p = cmds.add_parser(name, help=help_, description=help_)
        p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        if explained:
            p.add_argument("--explain", action="store_true",
                           help="附计算说明（与 --json 同用时为 explain 字段）")
        p.set_defaults(handler=handler)
        return p

    p = command("fee", "诉讼费用：案件受理费、申请执行费、保全费及调解节约的成本", cmd_fee,
                explained=True)
    p.add_argument("--amount", type=_amount, required=True, help="诉讼标的额，如 250277.13、25万")
    p.add_argument("--procedure", default="ordinary",
                   choices=["ordinary", "simple", "mediated", "simple-mediated"],
                   help="普通程序 / 简易程序 / 调解或撤诉结案 / 简易且调解（默认减半一次）")
    p.add_argument("--stack-halvings", action="store_true", help="两项减半叠加计算")
    p.add_argument("--round", choices=["fen", "yuan"], default="fen", help="取整到分或元")

    p = command("words", "金额大写", cmd_words)
    p.add_argument("amount", type=_amount, help="金额，如 250277.13、1.2亿")
    p.add_argument("--no-zheng-after-jiao", action="store_true", help="角后不写“整”")
    p.add_argument("--zero-after-wan", action="store_true", help="万位为0而千位不为0时写“零”")
    p.add_argument("--zero-before-jiao", action="store_true", help="元位为0而角位不为0时写“零”")
    p.add_argument("--prefix", action="store_true", help="前加“人民币”")

    p = command("deadline", "法定期间：起算日不计入，末日为休息日的顺延", cmd_deadline,
                explained=True)
    p.add_argument("--start", type=_date, required=True, help="起算日 YYYY-MM-DD")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--working-days", type=_count, help="工作日数")
    group.add_argument("--days", type=_count, help="日数（自然日）")
    group.add_argument("--months", type=_count, help="月数")
    group.add_argument("--years", type=_count, help="年数")
    group.add_argument("--rule", choices=_LIMIT_RULES, metavar="RULE",
                       help="按规则配置的期限项（如 mediation_ordinary_limit、"
                            "enforcement_application_limit），说明中注明其版本和依据")

    p = command("afford", "可负担性：月还款与收入、其他债务、家庭最低生活费（不可负担时退出码为1）",
                cmd_afford, explained=True)
    p.add_argument("--payment", type=_amount, required=True, help="每月还款额")
    p.add_argument("--income", type=_amount, help="月收入（不填则按当地月最低工资标准估算）")
    p.add_argument("--obligations", type=_amount, default=Decimal("0.00"),
                   help="其他债务每月还款")
    p.add_argument("--dependants", type=_count, default=0, help="需抚养人数（不含本人）")
    p.add_argument("--enterprise", action="store_true", help="债务人为企业（按月经营现金流判断）")
    p.add_argument("--cash-flow", type=_amount, help="企业每月经营可用于还款的金额")
    p.add_argument("--living-minimum", type=_amount,
                   help="每人每月最低生活保障标准（默认取规则配置）")
    p.add_argument("--max-ratio", type=_rate, help="月还款占收入比例上限（默认取规则配置 50%%）")
    p.add_argument("--minimum-wage", type=_amount, help="月最低工资标准（默认取规则配置）")

    p = command("owed", "未还金额，或加速到期后申请执行的金额（逐笔冲抵、迟延履行利息）", cmd_owed,
                explained=True)
    p.add_argument("--schedule", required=True,
                   help="还款计划：jintiao calc schedule --json 的输出文件（- 为标准输入）")
    p.add_argument("--paid", type=_payment, action="append", default=[],
                   help="一笔还款 流水号:YYYY-MM-DD:金额，可重复")
    p.add_argument("--as-of", type=_date, help="计算至（默认今天）")
    p.add_argument("--order", default="arrears,interest,principal",
                   choices=[",".join(p) for p in itertools.permutations(
                       ("arrears", "interest", "principal"))],
                   help="冲抵顺序（默认 欠息及费用→利息→本金，民法典第561条）")
    p.add_argument("--accelerated-on", type=_date, help="加速到期日：给出时计算申请执行金额")
    p.add_argument("--late-rate", type=_rate,
                   help="迟延履行期间债务利息日利率（经司法确认的，如 0.000175）")
    p.add_argument("--revived", type=_amount, default=Decimal("0.00"),
                   help="违约后恢复计收的减免款")
    p.add_argument("--costs", type=_amount, default=Decimal("0.00"), help="实现债权的费用")

    p = command("schedule", "还款计划表", cmd_schedule)
    p.add_argument("--method", required=True, choices=sorted(_METHODS),
                   help="flat 等额分期 / equal-installment 等额本息 / equal-principal 等额本金"
                        " / interest-only 先息后本 / lump-sum 一次性清偿")
    p.add_argument("--total", type=_amount, help="分期总额（不计息）")
    p.add_argument("--principal", type=_amount, help="本金")
    p.add_argument("--annual-rate", type=_rate, help="年利率，如 4.35%% 或 0.0435")
    p.add_argument("--periods", type=_count, required=True, help="期数（月）")
    p.add_argument("--first-due", type=_date, required=True, help="首期还款日")
    p.add_argument("--due-day", type=_count, help="每月还款日（1–31，小月取月末）")
    p.add_argument("--down-payment", type=_amount, help="首付款")
    p.add_argument("--down-payment-due", type=_date, help="首付款支付日")
    p.add_argument("--grace", type=_count, default=0, help="宽限期（只还息）期数")
    p.add_argument("--round-to", type=_amount, help="每期本金取整单位，如 1（元）")
    p.add_argument("--interest-from", type=_date, help="一次性清偿的计息起日")

    p = command("id", "身份证号码、统一社会信用代码、手机号码校验（无效时退出码为1）", cmd_id)
    p.add_argument("number", help="号码")
    p.add_argument("--on", type=_date, help="校验出生日期不晚于此日（默认今天）")

    p = command("interest", "按日计息", cmd_interest)
    p.add_argument("--balance", type=_amount, required=True, help="计息本金")
    p.add_argument("--annual-rate", type=_rate, required=True, help="年利率")
    p.add_argument("--start", type=_date, required=True, help="起息日（当日不计）")
    p.add_argument("--end", type=_date, required=True, help="止息日")
    p.add_argument("--day-count", choices=["360", "365"], default="365", help="年计息天数")

    p = command("cap", "利息、罚息、复利、违约金和费用是否超过年化上限", cmd_cap)
    p.add_argument("--principal", type=_amount, required=True)
    p.add_argument("--interest", type=_amount, default=Decimal(0))
    p.add_argument("--penalty-interest", type=_amount, default=Decimal(0))
    p.add_argument("--compound-interest", type=_amount, default=Decimal(0))
    p.add_argument("--liquidated-damages", type=_amount, default=Decimal(0))
    p.add_argument("--fees", type=_amount, default=Decimal(0))
    p.add_argument("--start", type=_date, required=True, help="期间起日")
    p.add_argument("--as-of", type=_date, required=True, help="计算截止日")
    p.add_argument("--cap", type=_rate, help="年化上限（默认取规则配置 24%%）")
    p.add_argument("--day-count", choices=["360", "365"], default="365")
