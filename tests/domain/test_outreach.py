"""The outreach rules: caps and contact hours, the cannot-reach path, when service counts,
verification codes and vetted texts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jintiao.domain.money import amount_in_words, format_amount
from jintiao.domain.outreach import (
    CODE_ALPHABET,
    IMPERSONATION,
    THREATS,
    Attempt,
    ContactChannel,
    ContactLimits,
    ContactOutcome,
    OutreachInvalid,
    ReachStage,
    ServiceChannel,
    ServiceResult,
    contact_refusal,
    counts_as_served,
    format_code,
    limits_of,
    normalise_code,
    reach_stage,
    render_template,
    service_refusal,
    template_problems,
)
from jintiao.domain.policy import DEFAULT_POLICY, PolicyInvalid

LIMITS = ContactLimits(per_day=3, per_week=7, day_starts=8, day_ends=21)
START = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # local


@given(st.lists(st.integers(min_value=0, max_value=14 * 24 * 60 - 1), max_size=80))
def test_accepting_contacts_one_by_one_never_breaks_a_cap_or_the_hours(minutes):
    """Whatever the desk tries, the contacts let through keep every cap and the hours."""
    made: list[dt.datetime] = []
    for m in sorted(minutes):
        at = START + dt.timedelta(minutes=m)
        if contact_refusal(at, made, LIMITS) is None:
            made.append(at)
    for at in made:
        assert LIMITS.day_starts <= at.hour < LIMITS.day_ends
        assert sum(1 for x in made if x.date() == at.date()) <= LIMITS.per_day
        window = [x for x in made if at.date() - dt.timedelta(days=6) <= x.date() <= at.date()]
        assert len(window) <= LIMITS.per_week


@given(st.integers(min_value=0, max_value=23))
def test_night_is_refused_first(hour):
    refused = contact_refusal(START.replace(hour=hour), [], LIMITS)
    assert (refused is None) == (8 <= hour < 21)
    if refused is not None:
        assert refused.details["reason"] == "night"


def test_the_fourth_of_a_day_is_refused_and_the_next_day_is_new():
    day = START.replace(hour=9)
    three = [day, day.replace(hour=10), day.replace(hour=11)]
    refused = contact_refusal(day.replace(hour=15), three, LIMITS)
    assert refused is not None
    assert refused.details == {"reason": "daily_cap", "count": 3}
    assert contact_refusal(day + dt.timedelta(days=1), three, LIMITS) is None


def test_the_week_is_the_seven_days_ending_today():
    days = [START.replace(hour=10) + dt.timedelta(days=d) for d in range(7)]
    assert contact_refusal(days[-1] + dt.timedelta(hours=2), days, LIMITS) is not None
    # a day later the first has left the window
    assert contact_refusal(days[-1] + dt.timedelta(days=1), days, LIMITS) is None


@pytest.mark.parametrize(("per_day", "per_week", "start", "end"),
                         [(0, 7, 8, 21), (3, 2, 8, 21), (3, 7, 21, 8), (3, 7, 8, 25)])
def test_impossible_limits_are_refused(per_day, per_week, start, end):
    with pytest.raises(OutreachInvalid):
        ContactLimits(per_day, per_week, start, end)


def test_the_policy_refuses_a_week_cap_below_the_day_cap_and_an_unknown_service_rule():
    assert limits_of(DEFAULT_POLICY) == LIMITS
    with pytest.raises(PolicyInvalid):
        DEFAULT_POLICY.replace(contact_max_per_week=2)
    with pytest.raises(PolicyInvalid):
        DEFAULT_POLICY.replace(electronic_service_counts_on="sent")
    with pytest.raises(PolicyInvalid):
        DEFAULT_POLICY.replace(contact_day_starts_hour=22)


def _a(day: int, channel: str, outcome: str) -> Attempt:
    return Attempt(dt.date(2026, 12, day), ContactChannel(channel), ContactOutcome(outcome))


def test_the_cannot_reach_path():
    def stage(*attempts: Attempt) -> ReachStage:
        return reach_stage(attempts, failed_needed=3, days_needed=2)

    assert stage() is ReachStage.TRYING
    same_day = [_a(1, "call", "no_answer")] * 3
    assert stage(*same_day) is ReachStage.TRYING  # three on one day are not enough
    tried = [_a(1, "call", "no_answer"), _a(1, "call", "wrong_number"), _a(2, "visit", "not_found")]
    assert stage(*tried) is ReachStage.TOWNSHIP_VISIT
    assert stage(*tried, _a(3, "township", "not_found")) is ReachStage.MAY_CLOSE
    assert stage(*tried, _a(3, "sms", "sent")) is ReachStage.TOWNSHIP_VISIT  # no answer yet
    assert stage(*tried, _a(3, "call", "refused")) is ReachStage.REACHED  # a refusal is contact
    # a township visit before the attempts were done does not count as the last step
    assert stage(_a(1, "township", "not_found"), *tried[:2], _a(2, "call", "no_answer")) \
        is ReachStage.TOWNSHIP_VISIT


@given(st.sampled_from(list(ServiceChannel)), st.sampled_from(list(ServiceResult)),
       st.booleans(), st.sampled_from(["delivered", "read"]))
def test_what_counts_as_served(channel, result, consented, rule):
    if result not in {
            ServiceChannel.SMS: {"sent", "delivered", "read", "failed"},
            ServiceChannel.EMAIL: {"sent", "delivered", "read", "failed"},
            ServiceChannel.PORTAL: {"delivered", "read"},
            ServiceChannel.IN_PERSON: {"signed", "left", "failed"},
            ServiceChannel.POST: {"sent", "signed", "failed"},
            ServiceChannel.TOWNSHIP: {"signed", "left", "failed"}}[channel]:
        with pytest.raises(OutreachInvalid):
            counts_as_served(channel, result, consented_electronic=consented,
                             electronic_counts_on=rule)
        return
    served = counts_as_served(channel, result, consented_electronic=consented,
                              electronic_counts_on=rule)
    if channel.electronic:
        expected = consented and (result == "read" or (rule == "delivered"
                                                        and result == "delivered"))
    else:
        expected = result in ("signed", "left")
    assert served is expected


@given(st.text(alphabet=CODE_ALPHABET, min_size=8, max_size=8))
def test_a_code_reads_back_however_it_is_typed(code):
    shown = format_code(code)
    assert normalise_code(shown) == code
    assert normalise_code(shown.lower()) == code
    assert normalise_code(f" {shown[:4]} {shown[5:]} ") == code


@pytest.mark.parametrize("typed", ["", "ABCD-EFG", "ABCD-EFGHJ", "0OIL-1234", "ABCD\x00EFGH"])
def test_what_cannot_be_a_code(typed):
    assert normalise_code(typed) is None


def test_vetted_texts():
    assert template_problems("{姓名}您好，请登录{链接}查看。") == ()
    assert ("含有催收或威胁性用语（拘留、刑事责任或起诉）：拘留"
            in template_problems("不还款将被拘留"))
    assert any("未知的填充项" in p for p in template_problems("{金额}"))
    assert any("数字" in p for p in template_problems("请还款5000元"))
    assert any("不得超过" in p for p in template_problems("好" * 201))
    assert render_template("{姓名}：{调解时间}", {"姓名": "吴某某"}) == "吴某某：—"


# Texts as collectors write them: each must be refused, for the reason named.
BAD_TEXTS = [
    ("【凯里市人民法院】{姓名}您好，您已被起诉，请于3日内登录{链接}处理。", "法院"),
    ("【凯里市人民法院】{姓名}您好，您已被起诉，请于3日内登录{链接}处理。", "【】署名"),
    ("【凯里市人民法院】{姓名}您好，您已被起诉，请于3日内登录{链接}处理。", "起诉"),
    ("{姓名}：我是凯里市公安局经侦大队民警，请配合调查您的欠款。", "公安"),
    ("{姓名}您好，贵州某某律师事务所受托向您发出律师函，请联系{调解员}。", "律师"),
    ("本短信由法务部发出：{姓名}请尽快处理欠款。", "法务"),
    ("〖金融监管局〗提醒{姓名}：请尽快与{调委会}联系。", "金融监管"),
    ("{姓名}，再不还款将被司法拘留十五日。", "拘留"),
    ("{姓名}恶意拖欠已涉嫌犯罪，将移送追究刑事责任。", "刑事"),
    ("{姓名}你好，如不处理我们将上门抓人。", "抓人"),
    ("{姓名}：逾期将被列入失信被执行人名单，限制高消费及出行。", "失信"),
    ("{姓名}您已进入黑 名 单，请尽快处理。", "黑名单"),
    ("{姓名}欠款不还将上报征信，成为老赖。", "老赖"),
    ("{姓名}，我们将联系您的家人和单位领导告知欠款情况。", "家人"),
    ("{姓名}若仍不回复，将通知您的紧急联系人及通讯录好友。", "通讯录"),
    ("{姓名}：已安排人员前往您的工作单位了解情况。", "工作单位"),
    ("{姓名}您尚欠5,000元，请尽快处理。", "金额"),
    ("{姓名}您尚欠￥86，请尽快处理。", "金额"),
    ("{姓名}您尚欠1.5万，请尽快处理。", "金额"),
    ("{姓名}您尚欠伍万叁仟元，请尽快处理。", "金额"),
    ("{姓名}您尚欠两万块钱，请尽快处理。", "金额"),
    ("{姓名}欠款贰万，今日不还加收五百。", "金额"),
    ("{姓名}请还款ＲＭＢ８０。", "金额"),
    ("{姓名}请致电０８５５１２３４５６７。", "号码"),
    ("{姓名}请点击 http://t.cn/A6xYz 处理。", "网址"),
    ("{姓名}详情见 www.kl-tiaojie.com", "网址"),
    ("{姓名}请访问 kltj.top/x 处理。", "网址"),
    ("{姓名}请访问ｈｔｔｐｓ：／／bad.cn", "网址"),
    ("{姓名}登录 tiaojie。com 查看", "网址"),
    ("{姓名}再不还款将被拘\u200b留。", "拘留"),
    ("{姓名}将被起訴，請知悉。", "起诉"),
    ("{姓名}请联系律-师了解后果。", "律师"),
    ("{姓名}：再不还款将被拘：留。", "拘留"),
    ("{姓名}，请立即还款，否则后果自负。", "后果自负"),
]
GOOD_TEXTS = [
    "{姓名}您好，{调委会}已受理您与金融机构的纠纷（{纠纷编号}）。调解免费、自愿，"
    "可登录{链接}查看通知和方案，或等待调解员{调解员}来电。",
    "{姓名}您好，您的纠纷{纠纷编号}定于{调解时间}调解，详情请登录{链接}查看。",
    "{姓名}您好，纠纷{纠纷编号}的调解协议已拟好，请登录{链接}阅读，确认无误后在线签署。",
    "{姓名}您好，调解员{调解员}就纠纷{纠纷编号}与您联系未果，请登录{链接}查看或回电调委会。",
    "{姓名}您好，请于3日内登录{链接}确认是否同意调解。",
    "{姓名}您好，调委会工作时间为每周一至周五9:00-17:00，欢迎来电咨询。",
    "{姓名}您好，调解协议约定的本期还款日将至，请按约履行；如有困难请登录{链接}联系调解员{调解员}。",
    "{姓名}您好，您可登录{链接}查看调解方案，按约履行后可申请信用修复。",
    "{姓名}您好，调解员{调解员}将于{调解时间}与您电话联系，请留意接听。",
    "{姓名}您好，调解过程保密，不收取任何费用，请千万留意查收后续通知。",
]


@pytest.mark.parametrize(("body", "why"), BAD_TEXTS)
def test_a_text_collectors_would_send_is_refused_for_its_reason(body, why):
    problems = template_problems(body)
    assert any(why in p for p in problems), problems


@pytest.mark.parametrize("body", GOOD_TEXTS)
def test_a_plain_notice_passes(body):
    assert template_problems(body) == ()


FORBIDDEN_WORDS = sorted({*IMPERSONATION, *(w for ws in THREATS.values() for w in ws)})
GAPS = st.text(alphabet=" \u3000\u200b\u200d\ufeff·.,，。-_*、：", max_size=2)


@given(st.sampled_from(GOOD_TEXTS), st.sampled_from(FORBIDDEN_WORDS), st.data())
def test_a_listed_word_is_caught_wherever_it_hides(good, word, data):
    """Any listed word put anywhere in a plain text, its characters split by blanks,
    invisible characters or punctuation, is still found."""
    at = data.draw(st.integers(min_value=0, max_value=len(good)))
    hidden = "".join(c + data.draw(GAPS) for c in word)
    if "{" in good[:at] and "}" not in good[good[:at].rfind("{"):at]:
        at = good.index("}", at) + 1  # not inside a placeholder
    problems = template_problems(good[:at] + hidden + good[at:])
    assert any(word in p for p in problems), problems


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2),
       st.sampled_from(["{amount}元", "￥{amount}", "{amount} 元", "RMB{amount}",
                        "人民币{amount}元"]),
       st.sampled_from(GOOD_TEXTS))
def test_an_amount_in_figures_is_caught(amount, shape, good):
    figures = shape.format(amount=format_amount(amount) if amount >= 1000 else amount)
    body = good.replace("您好，", f"您好，您尚欠{figures}，", 1)
    assert any("金额" in p for p in template_problems(body))


@given(st.decimals(min_value=Decimal("1"), max_value=Decimal("99999999"), places=0),
       st.sampled_from(GOOD_TEXTS))
def test_an_amount_in_words_is_caught(amount, good):
    words = amount_in_words(amount)
    body = good.replace("您好，", f"您好，您尚欠{words}，", 1)
    assert any("金额" in p for p in template_problems(body))


PAPER = [ServiceChannel.IN_PERSON, ServiceChannel.POST, ServiceChannel.TOWNSHIP]


@pytest.mark.parametrize("channel", PAPER)
@given(hour=st.integers(min_value=0, max_value=23),
       earlier=st.lists(st.integers(min_value=0, max_value=7 * 24 * 60 - 1), max_size=30))
def test_paper_service_is_never_refused_by_the_caps_or_hours(channel, hour, earlier):
    """Served in person, by post or through the township node, at any hour after any number
    of calls: legal service is no collection contact (CPL Arts. 88, 89, 91)."""
    at = START + dt.timedelta(days=7, hours=hour)
    calls = [at - dt.timedelta(minutes=m) for m in earlier]
    assert service_refusal(channel, at, calls, LIMITS) is None


@pytest.mark.parametrize("channel", [ServiceChannel.SMS, ServiceChannel.EMAIL])
def test_a_text_or_an_email_serving_a_document_keeps_to_the_caps_and_hours(channel):
    day = START + dt.timedelta(days=7, hours=10)
    night = START + dt.timedelta(days=7, hours=22)
    assert service_refusal(channel, night, [], LIMITS).details["reason"] == "night"
    assert service_refusal(channel, day, [day - dt.timedelta(hours=1)] * 3,
                           LIMITS).details["reason"] == "daily_cap"
    assert service_refusal(channel, day, [], LIMITS) is None
