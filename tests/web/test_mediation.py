"""The mediation workbench pages: who sees which page and form, what each side reads, and
the flows of the desk, the bank's agent and its approver through plain posts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jintiao import clock
from jintiao.domain.lifecycle import Action, State
from jintiao.mediation.models import (
    Approval,
    Attachment,
    BlindRound,
    DebtorBudget,
    Offer,
    Session,
    Side,
)
from jintiao.mediation.services import (
    action_apply,
    attachment_add,
    budget_declare,
    caucus_note_add,
    offer_propose,
    session_schedule,
)
from tests.factories import FIRST_DUE, flat, intake


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan_query(*terms: int, **extra: str) -> dict[str, str]:
    query = {}
    for i, n in enumerate(terms):
        query.update({f"p{i}-method": "flat", f"p{i}-periods": str(n),
                      f"p{i}-first_due": FIRST_DUE.isoformat(), f"p{i}-label": f"{n}期"})
    query.update(extra)
    return query


@pytest.fixture
def session(desk, mediating):
    made = session_schedule(actor=desk.mediator, dispute_id=mediating.pk,
                            mode=Session.Mode.BACK_TO_BACK,
                            starts_at=clock.now() - dt.timedelta(hours=1),
                            party_row_ids=list(mediating.party_rows.values_list("pk", flat=True)),
                            place="调解室")
    caucus_note_add(actor=desk.mediator, session_id=made.pk, side=Side.CREDITOR,
                    text="银行内部可接受36期")
    caucus_note_add(actor=desk.mediator, session_id=made.pk, side=Side.DEBTOR,
                    text="债务人每月最多4300元")
    return made


PAGES = ["mediation", "plans", "evaluation"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(("persona", "status"), [
    ("mediator", 200), ("director", 200), ("clerk", 200), ("agent", 200), ("judge", 200),
    ("supervisor", 200), ("other_clerk", 404), ("other_agent", 404), ("other_mediator", 404),
    ("county_supervisor", 404)])
def test_a_page_of_a_dispute_you_cannot_see_is_missing(desk, mediating, page, persona,
                                                       status):
    response = client_for(getattr(desk, persona)).get(f"/disputes/{mediating.pk}/{page}/")
    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), [("director", 200), ("mediator", 404),
                                                 ("agent", 404), ("other_clerk", 404)])
def test_only_the_director_opens_the_assignment_page(desk, mediating, persona, status):
    response = client_for(getattr(desk, persona)).get(f"/disputes/{mediating.pk}/assignment/")
    assert response.status_code == status


POSTS = [
    ("disputes/{d}/sessions/", {"mode": "phone", "starts_at": "2026-12-01T10:00"}),
    ("sessions/{s}/record/", {"record": "笔录"}),
    ("sessions/{s}/notes/", {"side": "debtor", "text": "私下"}),
    ("disputes/{d}/budget/", {"party_row": "0", "monthly_income": "5000", "dependants": "0"}),
    ("disputes/{d}/consents/", {"party_row": "0", "how": "书面", "given_on": "2026-12-01"}),
    ("disputes/{d}/blind/", {"side": "creditor", "min_total": "1000", "max_term_months": "3"}),
    ("disputes/{d}/triage/", {"expected_version": "1"}),
    ("disputes/{d}/assign/", {"expected_version": "1", "lead": "1"}),
    ("offers/{o}/answer/", {"side": "creditor", "answer": "reject"}),
    ("offers/{o}/approval/", {}),
]


@pytest.mark.parametrize(("path", "body"), POSTS, ids=[p for p, _b in POSTS])
def test_a_post_about_a_dispute_you_cannot_see_is_missing_and_writes_nothing(
        desk, mediating, session, path, body):
    offer = offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(24),
                          discount_rate=D("0.035"))
    events = mediating.events.count()
    url = "/" + path.format(d=mediating.pk, s=session.pk, o=offer.pk)

    response = client_for(desk.other_clerk).post(url, body)

    assert response.status_code == 404
    assert mediating.events.count() == events
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN


class TestWhatEachSideReads:
    def test_the_mediator_reads_both_sides_the_bank_its_own_the_clerk_neither(
            self, desk, mediating, session):
        def page(user):
            return client_for(user).get(f"/disputes/{mediating.pk}/mediation/").content.decode()

        mediator, agent, clerk = page(desk.mediator), page(desk.agent), page(desk.clerk)
        assert "银行内部可接受36期" in mediator
        assert "债务人每月最多4300元" in mediator
        assert "银行内部可接受36期" in agent
        assert "债务人每月最多4300元" not in agent
        assert "银行内部可接受36期" not in clerk
        assert "债务人每月最多4300元" not in clerk

    def test_the_director_who_does_not_mediate_reads_neither_side(self, desk, mediating,
                                                                   session):
        """README: back-to-back notes belong to one side and the mediators, nobody else."""
        director = client_for(desk.director).get(
            f"/disputes/{mediating.pk}/mediation/").content.decode()

        assert "银行内部可接受36期" not in director
        assert "债务人每月最多4300元" not in director

    def test_forms_follow_the_part_in_the_mediation(self, desk, mediating, session):
        mediator = client_for(desk.mediator).get(
            f"/disputes/{mediating.pk}/mediation/").content.decode()
        agent = client_for(desk.agent).get(f"/disputes/{mediating.pk}/mediation/").content.decode()
        judge = client_for(desk.judge).get(f"/disputes/{mediating.pk}/mediation/").content.decode()
        assert "安排调解" in mediator
        assert "提交债务人底线" in mediator
        assert "提交债权人底线" not in mediator
        assert "提交债权人底线" in agent
        assert "安排调解" not in agent
        assert "<form" not in judge.split("<main>")[1]  # a bystander reads, nothing more

    def test_another_sides_attachment_cannot_be_downloaded(self, desk, mediating, session,
                                                           settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        private = attachment_add(actor=desk.mediator, session_id=session.pk,
                                 kind=Attachment.Kind.EVIDENCE, name="收入证明.pdf",
                                 content=SimpleUploadedFile("x.pdf", b"%PDF-1.4 income"),
                                 side="debtor")
        url = f"/attachments/{private.pk}/"
        assert client_for(desk.mediator).get(url).status_code == 200
        assert client_for(desk.agent).get(url).status_code == 404
        assert client_for(desk.other_clerk).get(url).status_code == 404
        assert "收入证明.pdf" not in client_for(desk.agent).get(
            f"/disputes/{mediating.pk}/mediation/").content.decode()


class TestTheDesk:
    def test_triage_and_assignment_through_the_pages(self, desk):
        dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
        dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                               expected_version=1, notice_served=True)
        director = client_for(desk.director)

        page = director.get(f"/disputes/{dispute.pk}/assignment/").content.decode()
        assert "简易程序" in page  # the suggestion
        assert "应当回避" in page  # the banker mediator, excluded with the reason
        fragment = director.get(f"/disputes/{dispute.pk}/assignment/",
                                {"facts_disputed": "on"}, headers={"HX-Request": "true",
                                                                   "HX-Target": "suggestion"})
        assert "普通程序" in fragment.content.decode()
        assert "<html" not in fragment.content.decode()

        director.post(f"/disputes/{dispute.pk}/triage/",
                      {"expected_version": dispute.version, "track": "ordinary"})
        dispute.refresh_from_db()
        assert dispute.track == ""  # an override without a reason changes nothing
        director.post(f"/disputes/{dispute.pk}/triage/", {"expected_version": dispute.version})
        dispute.refresh_from_db()
        assert dispute.track == "simple"

        conflicted = director.post(f"/disputes/{dispute.pk}/assign/", {
            "expected_version": dispute.version, "lead": desk.banker_mediator.pk})
        assert conflicted.status_code == 302
        dispute.refresh_from_db()
        assert dispute.state == State.ACCEPTED
        director.post(f"/disputes/{dispute.pk}/assign/", {
            "expected_version": dispute.version, "lead": desk.mediator.pk,
            "others": [desk.expert.pk]})
        dispute.refresh_from_db()
        assert dispute.state == State.MEDIATING
        assert dispute.mediator_rows.count() == 2

    def test_a_session_is_scheduled_recorded_and_a_private_note_kept(self, desk, mediating):
        mediator = client_for(desk.mediator)
        rows = list(mediating.party_rows.values_list("pk", flat=True))
        started = (clock.now() - dt.timedelta(hours=2)).astimezone(clock.TZ)
        mediator.post(f"/disputes/{mediating.pk}/sessions/", {
            "mode": "face_to_face", "starts_at": started.strftime("%Y-%m-%dT%H:%M"),
            "place": "调解室", "parties": rows})
        made = mediating.sessions.get()
        assert made.starts_at.astimezone(clock.TZ).hour == started.hour  # Beijing time
        mediator.post(f"/sessions/{made.pk}/record/", {"record": "双方到场", "present": rows[:1]})
        mediator.post(f"/sessions/{made.pk}/notes/", {"side": "debtor", "text": "愿意分期"})
        made.refresh_from_db()
        assert made.status == Session.Status.HELD
        assert made.caucus_notes.get().side == "debtor"
        assert list(made.attendance.exclude(party_row=None).order_by("party_row")
                    .values_list("attended", flat=True)) == [True, False]

    def test_consents_then_the_extension_from_the_mediation_page(self, desk, mediating):
        mediator, director = client_for(desk.mediator), client_for(desk.director)
        for row in mediating.party_rows.all():
            mediator.post(f"/disputes/{mediating.pk}/consents/", {
                "party_row": row.pk, "how": "书面同意", "given_on": clock.today().isoformat()})
        before = mediating.deadline
        response = director.post(f"/disputes/{mediating.pk}/actions/", {
            "action": "extend", "expected_version": mediating.version, "back": "mediation"})
        assert response["Location"] == f"/disputes/{mediating.pk}/mediation/"
        mediating.refresh_from_db()
        assert mediating.deadline > before

    def test_the_budget_bad_input_is_explained_and_nothing_written(self, desk, mediating):
        debtor = mediating.party_rows.get(role="debtor")
        response = client_for(desk.mediator).post(f"/disputes/{mediating.pk}/budget/", {
            "party_row": debtor.pk, "monthly_income": "12,34.5", "dependants": "1"}, follow=True)
        assert "千位分隔符位置不正确" in response.content.decode()
        assert not DebtorBudget.objects.filter(party_row=debtor).exists()


class TestPlans:
    def test_the_designer_opens_with_three_plans_compared(self, desk, mediating):
        page = client_for(desk.mediator).get(f"/disputes/{mediating.pk}/plans/")
        text = page.content.decode()
        assert page.status_code == 200
        assert text.count('class="plan"') == 3
        assert "231,208.40" in text  # every plan repays the whole claim
        assert "债权人现值" in text

    def test_compare_shows_affordability_and_a_bad_plan_explains_itself(self, desk,
                                                                        mediating):
        budget_declare(actor=desk.mediator, dispute_id=mediating.pk,
                       party_row_id=mediating.party_rows.get(role="debtor").pk,
                       monthly_income=D("15000"), other_obligations=D("2500"), dependants=1)
        query = plan_query(12, 60, **{"p2-method": "flat", "p2-periods": "24",
                                      "p2-first_due": FIRST_DUE.isoformat(),
                                      "p2-waive_interest": "99999"})
        response = client_for(desk.mediator).get(f"/disputes/{mediating.pk}/plans/", query,
                                                 headers={"HX-Request": "true",
                                                          "HX-Target": "comparison"})
        text = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in text
        assert "超过所欠" in text
        assert "✗" in text  # 12 months asks too much a month
        assert "✓" in text  # 60 months fits the declared budget

    def test_the_mediator_proposes_a_compared_plan(self, desk, mediating):
        body = {k: v for k, v in plan_query(0, 60).items() if k.startswith("p1-")}
        body.update(propose="1", on_behalf_of="")
        client_for(desk.mediator).post(f"/disputes/{mediating.pk}/plans/", body)
        offer = mediating.offers.get()
        assert (offer.by, offer.figures["instalments"]) == ("mediator", 60)

    def test_the_bank_proposes_in_its_own_name_only(self, desk, mediating):
        body = dict(plan_query(12))
        body.update(propose="0", on_behalf_of="debtor")
        client_for(desk.agent).post(f"/disputes/{mediating.pk}/plans/", body)
        offer = mediating.offers.get()
        assert offer.by == "creditor"
        assert offer.creditor_accepted_at is not None

    def test_a_bystander_cannot_propose(self, desk, mediating):
        body = plan_query(12)
        body.update(propose="0")
        client_for(desk.judge).post(f"/disputes/{mediating.pk}/plans/", body)
        assert not mediating.offers.exists()


class TestAuthority:
    def test_beyond_authority_the_agent_asks_and_the_approver_grants(self, desk, mediating):
        offer = offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(60),
                              discount_rate=D("0.035"))
        agent, mediator, approver = (client_for(desk.agent), client_for(desk.mediator),
                                     client_for(desk.approver))
        mediator.post(f"/offers/{offer.pk}/answer/", {"side": "debtor", "answer": "accept"})

        page = agent.get(f"/disputes/{mediating.pk}/mediation/").content.decode()
        assert "还款期限：方案为60个月，授权为36个月" in page
        assert "报请上级审批" in page
        agent.post(f"/offers/{offer.pk}/answer/", {"side": "creditor", "answer": "accept"})
        offer.refresh_from_db()
        assert offer.creditor_accepted_at is None
        agent.post(f"/offers/{offer.pk}/approval/")

        queue = approver.get("/approvals/").content.decode()
        assert mediating.number in queue
        assert "授权为36个月" in queue
        assert "待审批 <b" in approver.get("/").content.decode()
        approval = Approval.objects.get()
        approver.post(f"/approvals/{approval.pk}/decision/", {"grant": "yes",
                                                              "reason": "同意60期"})
        offer.refresh_from_db()
        assert offer.status == Offer.Status.ACCEPTED
        assert "已为双方接受" in agent.get(f"/disputes/{mediating.pk}/mediation/").content.decode()

    def test_an_approval_of_someone_else_is_missing(self, desk, mediating):
        offer = offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(60),
                              discount_rate=D("0.035"))
        client_for(desk.agent).post(f"/offers/{offer.pk}/approval/")
        approval = Approval.objects.get()
        client_for(desk.agent).post(f"/approvals/{approval.pk}/decision/",
                                    {"grant": "yes", "reason": "自己批"})
        approval.refresh_from_db()
        assert approval.status == Approval.Status.PENDING


def test_blind_bounds_through_the_page_never_show_a_figure(desk, mediating):
    client_for(desk.agent).post(f"/disputes/{mediating.pk}/blind/", {
        "side": "creditor", "min_total": "231,208.40", "max_term_months": "36"})
    client_for(desk.mediator).post(f"/disputes/{mediating.pk}/blind/", {
        "side": "debtor", "max_monthly": "7,000", "max_total": "231208.40"})
    assert BlindRound.objects.get().outcome == BlindRound.Outcome.OVERLAP
    for user in (desk.agent, desk.mediator, desk.clerk):
        page = client_for(user).get(f"/disputes/{mediating.pk}/mediation/").content.decode()
        assert "有交集" in page
        assert "7,000" not in page
        assert "7000" not in page


def test_the_director_sees_overdue_mediations_on_the_home_page(desk, mediating):
    late = dt.datetime.combine(mediating.deadline + dt.timedelta(days=2), dt.time(9), clock.TZ)
    with clock.pinned(late):
        home = client_for(desk.director).get("/").content.decode()
        page = client_for(desk.mediator).get(f"/disputes/{mediating.pk}/mediation/")
    assert "调解期限已届满" in home
    assert mediating.number in home.split('id="stalled"')[1]
    assert "须经双方同意延长期限，或终止调解" in page.content.decode()
    assert "<summary>安排调解</summary>" not in page.content.decode()  # no new session


class TestEvaluation:
    def test_the_expert_records_and_both_sides_read_it(self, desk, evaluating):
        offer = offer_propose(actor=desk.mediator, dispute_id=evaluating.pk,
                              options=flat(36), discount_rate=D("0.035"))
        expert = client_for(desk.expert)
        assert "出具中立评估意见" in expert.get(
            f"/disputes/{evaluating.pk}/evaluation/").content.decode()
        expert.post(f"/disputes/{evaluating.pk}/evaluation/", {
            "assessment": "借款事实清楚，罚息可能被调减", "contract_annual_rate": "18",
            "offer": offer.pk})

        page = client_for(desk.agent).get(f"/disputes/{evaluating.pk}/evaluation/")
        text = page.content.decode()
        assert "借款事实清楚" in text
        assert "案件受理费" in text
        assert "出具中立评估意见</h2>" not in text  # the bank reads, it does not evaluate
        assert evaluating.evaluations.get().contract_annual_rate == D("0.18")

    def test_before_any_evaluation_the_page_says_it_is_awaited_not_that_it_does_not_apply(
            self, desk, evaluating, mediating):
        """On the evaluation track the page waits for the expert's opinion; only a dispute
        on another track is told the procedure does not apply (issue 16)."""
        for persona in ("expert", "mediator", "agent"):
            page = client_for(getattr(desk, persona)).get(
                f"/disputes/{evaluating.pk}/evaluation/").content.decode()
            assert "尚未出具中立评估意见" in page
            assert "本纠纷未适用中立评估程序" not in page
        other = client_for(desk.mediator).get(
            f"/disputes/{mediating.pk}/evaluation/").content.decode()
        assert "本纠纷未适用中立评估程序" in other
        assert "出具中立评估意见</h2>" not in other

    def test_a_rate_typed_wrongly_is_explained(self, desk, evaluating):
        response = client_for(desk.expert).post(
            f"/disputes/{evaluating.pk}/evaluation/",
            {"assessment": "意见", "contract_annual_rate": "十八"}, follow=True)
        assert "利率格式不正确" in response.content.decode()
        assert not evaluating.evaluations.exists()


def test_a_counter_offer_from_the_designer_answers_the_open_one(desk, mediating):
    first = offer_propose(actor=desk.agent, dispute_id=mediating.pk, options=flat(12),
                          discount_rate=D("0.035"))
    page = client_for(desk.mediator).get(f"/disputes/{mediating.pk}/plans/").content.decode()
    assert "回应方案1" in page
    body = dict(plan_query(48))
    body.update(propose="0", on_behalf_of="debtor", answers=str(first.pk))
    client_for(desk.mediator).post(f"/disputes/{mediating.pk}/plans/", body)
    first.refresh_from_db()
    counter = mediating.offers.get(seq=2)
    assert first.status == Offer.Status.COUNTERED
    assert counter.answers == first
    assert counter.by == Offer.By.DEBTOR


class TestOddPosts:
    """Found by a second review: each answered 500 or 302 where it should not."""

    def test_a_hidden_or_private_offer_is_missing_whatever_the_form(self, desk, mediating):
        shared = offer_propose(actor=desk.mediator, dispute_id=mediating.pk, options=flat(24),
                               discount_rate=D("0.035"))
        private = offer_propose(actor=desk.mediator, dispute_id=mediating.pk,
                                options=flat(48), discount_rate=D("0.035"),
                                on_behalf_of="debtor", side="debtor")
        outsider, bank = client_for(desk.other_agent), client_for(desk.agent)
        for url in (f"/offers/{shared.pk}/answer/", f"/offers/{shared.pk}/withdraw/",
                    f"/offers/{shared.pk}/approval/", "/offers/999999/answer/"):
            assert outsider.post(url, {}).status_code == 404, url
        for url in (f"/offers/{private.pk}/answer/", f"/offers/{private.pk}/withdraw/"):
            assert bank.post(url, {}).status_code == 404, url

    def test_a_hidden_recusal_is_missing_whatever_the_form(self, desk, mediating):
        from jintiao.mediation.services import recusal_request

        asked = recusal_request(actor=desk.mediator, dispute_id=mediating.pk,
                                mediator_id=desk.mediator.pk,
                                party_row_id=mediating.party_rows.first().pk, reason="理由")
        assert client_for(desk.other_clerk).post(f"/recusals/{asked.pk}/decision/",
                                                 {}).status_code == 404

    @pytest.mark.parametrize(("path", "body"), [
        ("blind/", {"side": "creditor", "min_total": "0", "max_term_months": "12"}),
        ("blind/", {"side": "debtor", "max_monthly": "0", "max_total": "1000"}),
        ("sessions/", {"mode": "phone", "starts_at": "0001-01-01T00:00"}),
    ])
    def test_a_refused_value_is_a_message_not_a_500(self, desk, mediating, path, body):
        user = desk.agent if body.get("side") == "creditor" else desk.mediator
        response = client_for(user).post(f"/disputes/{mediating.pk}/{path}", body,
                                         follow=True)
        assert response.status_code == 200
        assert 'class="msg error"' in response.content.decode()
        assert not mediating.blind_rounds.exists()
        assert not mediating.sessions.exists()

    def test_an_odd_digit_in_the_team_is_ignored(self, desk):
        dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
        dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                               expected_version=1, notice_served=True)
        response = client_for(desk.director).post(f"/disputes/{dispute.pk}/assign/", {
            "expected_version": dispute.version, "lead": desk.mediator.pk, "others": "²"})
        assert response.status_code == 302


def test_the_dispute_timeline_tells_the_mediation_in_words(desk, mediating, session):
    offer = offer_propose(actor=desk.agent, dispute_id=mediating.pk, options=flat(24),
                          discount_rate=D("0.035"))
    client_for(desk.mediator).post(f"/offers/{offer.pk}/answer/", {"side": "debtor",
                                                                   "answer": "accept"})
    page = client_for(desk.clerk).get(f"/disputes/{mediating.pk}/").content.decode()
    timeline = page.split('class="timeline"')[1]
    assert "安排调解</b> 第1次，背对背" in timeline
    assert "背对背谈话</b> 债务人方" in timeline
    assert "提出方案</b> 方案1，债权人方，24期，合计231,208.40元" in timeline
    assert "接受方案</b> 方案1，债务人方，双方均已接受" in timeline
    assert "mediation." not in timeline
    # what was said in private stays there (the note's words: "4300" alone also turns up
    # in a hash or a time on the page, one run in many)
    assert "每月最多" not in timeline
    assert "4300元" not in timeline


def test_the_assignment_form_gives_the_services_answer_on_the_size_of_a_team(desk):
    from tests.factories import UserFactory
    dispute = intake(actor=desk.clerk, committee=desk.committee, institution=desk.branch)
    dispute = action_apply(actor=desk.clerk, dispute_id=dispute.pk, action=Action.ACCEPT,
                           expected_version=1, notice_served=True)
    people = [UserFactory(organization=desk.committee, roles=["mediator"]) for _ in range(6)]
    director = client_for(desk.director)
    director.post(f"/disputes/{dispute.pk}/triage/", {
        "expected_version": dispute.version, "track": "simple", "reason": "测试"})
    dispute.refresh_from_db()

    response = director.post(f"/disputes/{dispute.pk}/assign/", {
        "expected_version": dispute.version, "lead": people[0].pk,
        "others": [p.pk for p in people[1:]]}, follow=True)

    assert "最多指定5名调解员" in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.state == State.ACCEPTED


def test_the_extension_button_goes_once_the_last_allowed_extension_is_used(desk, mediating):
    """The policy allows one extension: after it the page offers none (the service would
    refuse it; the button used to stay)."""
    from jintiao.mediation.services import consent_record

    director = client_for(desk.director)
    page = director.get(f"/disputes/{mediating.pk}/mediation/").content.decode()
    assert 'name="action" value="extend"' in page
    for row in mediating.party_rows.all():
        consent_record(actor=desk.mediator, dispute_id=mediating.pk, party_row_id=row.pk,
                       how="书面同意", given_on=clock.today())
    action_apply(actor=desk.director, dispute_id=mediating.pk, action=Action.EXTEND,
                 expected_version=mediating.version)

    page = director.get(f"/disputes/{mediating.pk}/mediation/").content.decode()

    assert 'name="action" value="extend"' not in page
    assert "已延长 1 次，规则允许 1 次" in page


class TestBudget:
    """The desk's budget form: an enterprise's cash flow, a person's income — the same
    refusal as the API's when a person is given a cash flow."""

    def test_the_desk_registers_an_enterprises_cash_flow(self, desk):
        from tests.factories.mediation import company_debt

        company = company_debt(desk)
        debtor = company.party_rows.get(role="debtor")
        client = client_for(desk.mediator)

        client.post(f"/disputes/{company.pk}/budget/", {
            "party_row": debtor.pk, "monthly_cash_flow": "12,000", "other_obligations": "",
            "dependants": "0"})

        assert debtor.budget.monthly_cash_flow == D("12000")
        page = client.get(f"/disputes/{company.pk}/mediation/").content.decode()
        assert "月经营现金流" in page
        assert "12000.00" in page

    def test_an_enterprises_sheet_is_offered_again_without_dependants(self, desk):
        """Regression: a sheet kept with dependants (before an enterprise was refused them)
        pre-filled the desk's form, so saving it again was refused until retyped."""
        from jintiao.mediation.models import DebtorBudget
        from tests.factories.mediation import company_debt

        company = company_debt(desk)
        debtor = company.party_rows.get(role="debtor")
        DebtorBudget.objects.create(party_row=debtor, dependants=3, monthly_cash_flow=D("9000"),
                                    declared_on="2026-12-01")
        client = client_for(desk.mediator)

        page = client.get(f"/disputes/{company.pk}/mediation/").content.decode()
        assert 'name="dependants" value="0"' in page
        client.post(f"/disputes/{company.pk}/budget/", {
            "party_row": debtor.pk, "monthly_cash_flow": "9,500", "other_obligations": "",
            "dependants": "0"})
        debtor.budget.refresh_from_db()
        assert (debtor.budget.monthly_cash_flow, debtor.budget.dependants) == (D("9500"), 0)

    def test_a_persons_cash_flow_is_refused_with_the_services_message(self, desk, mediating):
        debtor = mediating.party_rows.get(role="debtor")

        page = client_for(desk.mediator).post(f"/disputes/{mediating.pk}/budget/", {
            "party_row": debtor.pk, "monthly_income": "8000", "monthly_cash_flow": "6000",
            "dependants": "0"}, follow=True)

        assert "月经营现金流只适用于企业债务人；自然人请填写月收入" in page.content.decode()
        assert not hasattr(debtor, "budget")

