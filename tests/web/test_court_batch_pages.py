"""Judicial confirmation in batches on the workbench (issue 20 §6): the desk's batch
application page, the judge's review page (who may open it, the alike agreements grouped,
each with its checklist) and a ruling made there, which is the single ruling."""

from __future__ import annotations

import re

from jintiao.confirmation.batch import confirmation_batch_apply
from jintiao.confirmation.models import Application, ConfirmationBatch
from jintiao.confirmation.services import confirmation_accept
from jintiao.domain import identity
from jintiao.domain.confirmation import judge_items
from jintiao.domain.lifecycle import Role
from jintiao.timeline.models import Event
from tests.confirmation.batch_helpers import agreed
from tests.factories import UserFactory, flat
from tests.web.test_views import client_for


def _sent(desk, disputes):
    batch = confirmation_batch_apply(actor=desk.mediator, court_id=desk.court.pk,
                                     disputes={d.pk: d.version for d in disputes})
    apps = list(batch.applications.order_by("pk"))
    for app in apps:
        confirmation_accept(actor=desk.judge, application_id=app.pk)
    for d in disputes:
        d.refresh_from_db()
    return batch, apps


def _ruling(app):
    app.refresh_from_db()
    dispute = app.dispute
    dispute.refresh_from_db()
    return (app.status, app.attested, app.reasons, app.decided_by_id, dispute.state,
            app.ruling_document.title,
            list(Event.objects.filter(dispute=dispute).order_by("-seq")
                 .values_list("type", flat=True)[:2]))


class TestTheDeskPage:
    def test_lists_the_ready_disputes_and_sends_them_with_the_refusals_shown(self, desk,
                                                                             cases):
        ready = agreed(desk)
        unsigned = agreed(desk, signed=False)
        client = client_for(desk.mediator)

        page = client.get("/confirmations/batch/").content.decode()

        assert ready.number in page
        assert unsigned.number in page
        assert "尚未签署" in page
        answer = client.post("/confirmations/batch/", {
            "court": desk.court.pk,
            "pick": [f"{ready.pk}:{ready.version}", f"{unsigned.pk}:{unsigned.version}"]})
        batch = ConfirmationBatch.objects.get()
        assert answer.status_code == 302
        assert answer["Location"] == f"/confirmations/batch/{batch.pk}/"
        result = client.get(answer["Location"]).content.decode()
        assert "已提交 1 件，未能提交 1 件" in result
        assert "confirmation_invalid" in result

    def test_is_not_offered_to_others(self, desk, cases):
        for outsider in (desk.judge, desk.agent, desk.clerk):
            assert client_for(outsider).get("/confirmations/batch/").status_code == 404

    def test_a_batch_is_its_senders_to_read(self, desk, cases):
        batch, _apps = _sent(desk, [agreed(desk)])
        assert client_for(desk.director).get(
            f"/confirmations/batch/{batch.pk}/").status_code == 404


class TestTheReviewPage:
    def test_only_the_courts_judges_open_it(self, desk, cases):
        _sent(desk, [agreed(desk)])
        url = f"/courts/{desk.court.pk}/review/"
        court_clerk = UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])

        assert client_for(desk.judge).get(url).status_code == 200
        assert client_for(court_clerk).get(url).status_code == 403
        assert client_for(desk.other_judge).get(url).status_code == 404
        assert client_for(desk.mediator).get(url).status_code == 404
        assert client_for(desk.judge).get(f"/courts/{desk.committee.pk}/review/"
                                          ).status_code == 404
        assert client_for(desk.judge).get(f"{url}?batch=999999").status_code == 404

    def test_a_clerk_or_another_courts_judge_cannot_rule_from_it(self, desk, cases):
        (dispute,) = disputes = [agreed(desk)]
        _batch, (app,) = _sent(desk, disputes)
        court_clerk = UserFactory(organization=desk.court, roles=[Role.COURT_CLERK])
        form = {"expected_version": dispute.version, "decision": "confirm",
                "attested": list(judge_items())}

        assert client_for(court_clerk).post(
            f"/courts/{desk.court.pk}/review/{app.pk}/ruling/", form).status_code == 403
        assert client_for(desk.other_judge).post(
            f"/courts/{desk.court.pk}/review/{app.pk}/ruling/", form).status_code == 404
        assert client_for(desk.other_judge).post(
            f"/courts/{desk.court.pk}/review/group/",
            {"application": f"{app.pk}:{dispute.version}"}).status_code == 404
        # the judge of another court, on their own court's page, reaches nothing
        client_for(desk.other_judge).post(
            f"/courts/{desk.other_court.pk}/review/{app.pk}/ruling/", form)
        app.refresh_from_db()
        assert app.status == Application.Status.ACCEPTED

    def test_groups_the_alike_agreements_with_their_checklists(self, desk, cases):
        alike = [agreed(desk), agreed(desk)]
        other = agreed(desk, flat(6))
        batch, _apps = _sent(desk, [*alike, other])

        page = client_for(desk.judge).get(
            f"/courts/{desk.court.pk}/review/?batch={batch.pk}").content.decode()

        groups = re.findall(r'data-group data-count="(\d+)"', page)
        assert groups == ["2", "1"]
        assert "12期" in page
        assert "6期" in page
        assert "由法官审查" in page  # the judge's own items, listed for attestation
        assert "裁定确认本组清单完整的 2 件" in page
        first_group = page.split("data-group ")[1]
        for d in alike:
            assert d.number in first_group
        assert other.number not in first_group
        debtor = other.party_rows.get(role="debtor").party.name
        # the key terms mask a person's name (the checklist names the parties as the single
        # review page does)
        assert f"债务人 {identity.mask_name(debtor)}（" in page
        assert f"债务人 {debtor}" not in page

    def test_a_ruling_from_the_page_is_the_single_ruling(self, desk, cases):
        disputes = [agreed(desk), agreed(desk)]
        batch, apps = _sent(desk, disputes)
        judge = client_for(desk.judge)
        reasons = "经询问，双方自愿，协议合法。"

        answer = judge.post(f"/courts/{desk.court.pk}/review/{apps[0].pk}/ruling/", {
            "expected_version": disputes[0].version, "decision": "confirm",
            "attested": list(judge_items()), "reasons": reasons, "batch": batch.pk})
        judge.post(f"/confirmations/{apps[1].pk}/ruling/", {
            "expected_version": disputes[1].version, "decision": "confirm",
            "attested": list(judge_items()), "reasons": reasons})

        assert answer["Location"] == (f"/courts/{desk.court.pk}/review/?batch={batch.pk}"
                                      f"#app-{apps[0].pk}")
        assert _ruling(apps[0]) == _ruling(apps[1])
        assert apps[0].status == Application.Status.CONFIRMED

    def test_a_rejection_from_the_page_is_the_single_rejection(self, desk, cases):
        disputes = [agreed(desk), agreed(desk)]
        _batch, apps = _sent(desk, disputes)
        judge = client_for(desk.judge)
        form = {"decision": "reject", "reasons": "当事人到庭陈述并非自愿签署。"}

        judge.post(f"/courts/{desk.court.pk}/review/{apps[0].pk}/ruling/",
                   {**form, "expected_version": disputes[0].version})
        judge.post(f"/confirmations/{apps[1].pk}/ruling/",
                   {**form, "expected_version": disputes[1].version})

        assert _ruling(apps[0]) == _ruling(apps[1])
        assert apps[0].status == Application.Status.REJECTED

    def test_confirming_a_group_rules_each_and_names_the_refused(self, desk, cases):
        disputes = [agreed(desk), agreed(desk)]
        batch, apps = _sent(desk, disputes)
        judge = client_for(desk.judge)

        answer = judge.post(f"/courts/{desk.court.pk}/review/group/", {
            "application": [f"{apps[0].pk}:{disputes[0].version}",
                            f"{apps[1].pk}:{disputes[1].version - 1}"],
            "attested": list(judge_items()), "batch": batch.pk}, follow=True)

        page = answer.content.decode()
        assert "已裁定确认 1 件" in page
        assert disputes[1].number in page
        statuses = [Application.objects.get(pk=a.pk).status for a in apps]
        assert statuses == [Application.Status.CONFIRMED, Application.Status.ACCEPTED]


def test_the_batch_pages_label_their_inputs_and_caption_their_tables(desk, cases):
    """The checks of tests/web/test_accessibility.py, on this feature's pages."""
    from tests.web.test_accessibility import problems

    waiting = agreed(desk)
    batch, _apps = _sent(desk, [agreed(desk), agreed(desk)])
    confirmation_batch_apply(actor=desk.mediator, court_id=desk.court.pk,
                             disputes={waiting.pk: waiting.version})
    agreed(desk, signed=False)
    found = []
    for user, path in [(desk.judge, f"/courts/{desk.court.pk}/review/"),
                       (desk.judge, f"/courts/{desk.court.pk}/review/?batch={batch.pk}"),
                       (desk.mediator, "/confirmations/batch/"),
                       (desk.mediator, f"/confirmations/batch/{batch.pk}/")]:
        response = client_for(user).get(path)
        assert response.status_code == 200, path
        found += [f"{path}: {p}" for p in problems(response.content.decode())]
    assert not found, "\n".join(found)
