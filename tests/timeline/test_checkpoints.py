"""Signed checkpoints (issue 18 §4b): a Merkle root over every dispute's chain head, signed
with a key that is a file outside the database; ``audit verify`` holds every chain against
the latest one, so someone who rewrites history and re-computes every hash — the chain and
the dispute's own record of it — is still caught."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from jintiao.domain import events
from jintiao.timeline.checkpoints import (
    CheckpointKeyMissing,
    CheckpointRefused,
    audit_chains,
    checkpoint_check,
    checkpoint_create,
    checkpoint_leaves,
    inclusion,
    key_dir,
    log_check,
    log_file,
)
from jintiao.timeline.hashing import (
    GENESIS,
    Head,
    checkpoint_message,
    event_hash,
    merkle_root,
    verify_inclusion,
)
from jintiao.timeline.models import Checkpoint, Event
from jintiao.timeline.services import audit_verify, event_append
from tests.factories import intake


@pytest.fixture
def keys(settings, tmp_path):
    """A key folder of the test's own: the key, its public copies and the log."""
    settings.PKI_DIR = tmp_path / "pki"
    return settings.PKI_DIR


@pytest.fixture
def three(world, keys):
    """Two disputes with events and one whose events were never written (the benchmark's)."""
    from jintiao import clock

    first = intake(actor=world.clerk, committee=world.committee)
    event_append(dispute=first, type=events.PAYMENT_RECORDED, actor=world.clerk,
                 at=clock.now(), params={"amount": "1.00"})
    second = intake(actor=world.clerk, committee=world.committee)
    bare = intake(actor=world.clerk, committee=world.committee)
    Event.objects.filter(dispute=bare).delete()
    type(bare).objects.filter(pk=bare.pk).update(events_seq=0, events_head=GENESIS)
    return first, second, bare


def rechain(dispute, seq: int, **changes) -> None:
    """What someone with the database does: change event ``seq``, re-compute its hash and
    every later one, and move the dispute's record of its head to match."""
    prev = None
    for e in Event.objects.filter(dispute=dispute, seq__gte=seq).order_by("seq"):
        for name, value in changes.items() if e.seq == seq else ():
            setattr(e, name, value)
        e.prev_hash = prev or e.prev_hash
        e.hash = event_hash(dispute_id=e.dispute_id, seq=e.seq, type=e.type,
                            actor_id=e.actor_id, at=e.at, state_before=e.state_before,
                            state_after=e.state_after, params=e.params, meta=e.meta,
                            prev_hash=e.prev_hash)
        e.save()
        prev = e.hash
    type(dispute).objects.filter(pk=dispute.pk).update(events_head=prev)


class TestMaking:
    def test_a_checkpoint_signs_every_disputes_head(self, world, three):
        first, second, bare = three
        made = checkpoint_create(actor=world.supervisor)
        leaves = checkpoint_leaves(made)
        heads = {pk: (seq, head) for pk, seq, head in
                 type(first).objects.values_list("pk", "events_seq", "events_head")}
        assert [(x.dispute_id, x.seq, x.head) for x in leaves] == [
            (pk, *heads[pk]) for pk in sorted(heads)]
        assert [(x.dispute_id, x.seq) for x in leaves] == [
            (first.pk, 2), (second.pk, 1), (bare.pk, 0)]
        assert made.count == 3
        assert made.root == merkle_root(leaves)
        assert made.created_by == world.supervisor
        assert checkpoint_check(made) == ([], leaves)

    def test_the_signature_is_ed25519_over_the_documented_message(self, three):
        made = checkpoint_create()
        pem = (key_dir() / "public" / f"{made.key_fingerprint}.pem").read_bytes()
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        public = load_pem_public_key(pem)
        assert isinstance(public, Ed25519PublicKey)
        public.verify(bytes.fromhex(made.signature), checkpoint_message(
            at=made.created_at, count=made.count, root=made.root))
        assert checkpoint_message(at=made.created_at, count=3, root=made.root).startswith(
            b'{"at":"')

    def test_the_key_is_a_private_file_made_on_first_use_and_then_kept(self, three, keys):
        first = checkpoint_create()
        folder = keys / "checkpoint"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE((folder / "ed25519.pem").stat().st_mode) == 0o600
        assert b"PRIVATE KEY" in (folder / "ed25519.pem").read_bytes()
        assert checkpoint_create().key_fingerprint == first.key_fingerprint
        assert b"PRIVATE" not in bytes(Checkpoint.objects.get(pk=first.pk).leaves)

    def test_without_auto_init_no_key_is_made_and_nothing_is_stored(self, three, settings,
                                                                     keys):
        settings.PKI_AUTO_INIT = False
        with pytest.raises(CheckpointKeyMissing, match="init-key"):
            checkpoint_create()
        assert not Checkpoint.objects.exists()
        assert not (keys / "checkpoint" / "ed25519.pem").exists()

    def test_every_dispute_has_a_proof_that_leads_to_the_root(self, three):
        made = checkpoint_create()
        for dispute in three:
            proof = inclusion(made, dispute.pk)
            leaf = Head(**{"dispute_id": proof["leaf"]["dispute"], "seq": proof["leaf"]["seq"],
                           "head": proof["leaf"]["head"]})
            assert verify_inclusion(leaf, proof["index"], made.count, proof["path"], made.root)
        assert inclusion(made, 10**9) is None


class TestCatching:
    def test_an_edit_rechained_before_the_checkpoint_passes_the_chain_but_not_the_checkpoint(
            self, three):
        first, _second, _bare = three
        checkpoint = checkpoint_create()
        rechain(first, 1, params={"claim_total": "1.00"})
        assert audit_verify() == (3, [])  # every hash re-computed: the chain alone holds
        audit = audit_chains()
        assert audit.problems == []
        assert audit.checkpoint == checkpoint
        assert [(b.dispute_id, b.seq) for b in audit.broken] == [(first.pk, 2)]
        assert f"第{checkpoint.pk}号检查点不符" in audit.broken[0].reason
        assert "检查点之前的事件被改写并重新计算了哈希链" in audit.broken[0].reason

    def test_the_last_events_deleted_with_the_disputes_record_moved_back(self, three):
        first, _second, _bare = three
        checkpoint_create()
        kept = Event.objects.get(dispute=first, seq=1)
        Event.objects.filter(dispute=first, seq=2).delete()
        type(first).objects.filter(pk=first.pk).update(events_seq=1, events_head=kept.hash)
        assert audit_verify() == (2, [])
        broken = audit_chains().broken
        assert [(b.dispute_id, b.seq) for b in broken] == [(first.pk, 2)]
        assert "时已有2条事件，现在只有1条" in broken[0].reason

    def test_a_dispute_deleted_whole_is_named(self, three):
        _first, second, _bare = three
        checkpoint_create()
        pk = second.pk
        Event.objects.filter(dispute=second).delete()
        second.delete()
        broken = audit_chains().broken
        assert [(b.dispute_id, b.seq) for b in broken] == [(pk, 0)]
        assert "已不存在" in broken[0].reason

    def test_what_came_after_the_checkpoint_is_no_fault(self, world, three):
        from jintiao import clock

        first, _second, _bare = three
        checkpoint_create()
        event_append(dispute=first, type=events.PAYMENT_RECORDED, actor=world.clerk,
                     at=clock.now(), params={"amount": "2.00"})
        intake(actor=world.clerk, committee=world.committee)
        audit = audit_chains()
        assert (audit.broken, audit.problems) == ([], [])
        assert audit.checked == 5

    @pytest.mark.parametrize("field", ["root", "count", "created_at", "signature"])
    def test_an_altered_checkpoint_is_not_trusted(self, three, field):
        import datetime as dt

        made = checkpoint_create()
        value = {"root": "0" * 64, "count": 4, "signature": "00" * 64,
                 "created_at": made.created_at - dt.timedelta(days=1)}[field]
        Checkpoint.objects.filter(pk=made.pk).update(**{field: value})
        audit = audit_chains()
        assert any("签名无效" in p or "默克尔根不符" in p for p in audit.problems), audit.problems

    def test_altered_heads_in_a_checkpoint_are_caught(self, three):
        import json
        import zlib

        made = checkpoint_create()
        rows = json.loads(zlib.decompress(bytes(made.leaves)))
        rows[0][1] = 1
        Checkpoint.objects.filter(pk=made.pk).update(
            leaves=zlib.compress(json.dumps(rows).encode()))
        assert audit_chains().problems == [
            f"{_name(made)}：存放的各纠纷链头与签名的默克尔根不符（被改动）"]
        Checkpoint.objects.filter(pk=made.pk).update(leaves=b"not zlib")
        assert "无法读取" in audit_chains().problems[0]

    def test_a_checkpoint_signed_by_an_unknown_key_is_not_trusted(self, three):
        made = checkpoint_create()
        Checkpoint.objects.filter(pk=made.pk).update(key_fingerprint="ab" * 32)
        assert "不在本机的检查点密钥目录中" in audit_chains().problems[0]
        Checkpoint.objects.filter(pk=made.pk).update(key_fingerprint="../../ed25519")
        assert "不在本机的检查点密钥目录中" in audit_chains().problems[0]

    def test_deleting_the_newest_checkpoint_is_caught_by_the_key_folders_log(
            self, three, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            older = checkpoint_create()
        with django_capture_on_commit_callbacks(execute=True):
            newest = checkpoint_create()
        assert log_check() == []
        lines = log_file().read_text().splitlines()
        assert [f'"id": {older.pk},' in lines[0], f'"id": {newest.pk},' in lines[1]] == [
            True, True]
        newest.delete()
        assert "在数据库中不存在" in audit_chains().problems[0]


def _name(made):
    from jintiao.timeline.checkpoints import describe

    return describe(made)


def test_disputes_written_in_bulk_are_consistent_and_covered(db, keys):
    """``jintiao bench seed`` writes disputes (and their timelines) in bulk, past
    event_append: each dispute's record of its chain must still match it."""
    from jintiao.demo.scale import bench_seed
    from jintiao.disputes.models import Dispute

    total = bench_seed(30)
    made = checkpoint_create()
    assert made.count == total
    assert [(x.dispute_id, x.seq, x.head) for x in checkpoint_leaves(made)] == list(
        Dispute.objects.order_by("pk").values_list("pk", "events_seq", "events_head"))
    audit = audit_chains()
    assert (audit.checked, audit.broken, audit.problems) == (Event.objects.count(), [], [])


class TestRefusingToAnchorARewrite:
    """A checkpoint signs only chains that extend the previous one: otherwise the daily
    checkpoint after a rewrite would anchor it, and ``audit verify`` (which holds the chains
    against the latest checkpoint) would find nothing."""

    def test_a_rewrite_rechained_after_a_checkpoint_is_not_signed(self, three):
        first, _second, _bare = three
        before = checkpoint_create()
        rechain(first, 1, params={"claim_total": "1.00"})
        with pytest.raises(CheckpointRefused) as refused:
            checkpoint_create()
        assert refused.value.code == "record_altered"
        assert (f"纠纷#{first.pk}的第2条事件与{_name(before)}签署的链头不符"
                in refused.value.message)
        assert "jintiao audit verify" in refused.value.message
        assert list(Checkpoint.objects.values_list("pk", flat=True)) == [before.pk]
        assert [b.dispute_id for b in audit_chains().broken] == [first.pk]

    def test_later_events_and_new_disputes_are_signed(self, world, three):
        from jintiao import clock

        first, _second, bare = three
        checkpoint_create()
        event_append(dispute=first, type=events.PAYMENT_RECORDED, actor=world.clerk,
                     at=clock.now(), params={"amount": "2.00"})
        event_append(dispute=bare, type=events.PAYMENT_RECORDED, actor=world.clerk,
                     at=clock.now(), params={"amount": "3.00"})
        intake(actor=world.clerk, committee=world.committee)
        made = checkpoint_create()
        assert (made.count, made.despite) == (4, "")

    @pytest.mark.parametrize("fault", ["events_removed", "event_edited", "new_dispute_forged",
                                       "head_moved", "rechained_past_later_events"])
    def test_each_kind_of_break_since_the_checkpoint_is_refused(self, world, three, fault):
        from jintiao import clock

        first, second, _bare = three
        checkpoint_create()
        event_append(dispute=first, type=events.PAYMENT_RECORDED, actor=world.clerk,
                     at=clock.now(), params={"amount": "2.00"})
        if fault == "events_removed":  # the last two events gone, the record moved back
            kept = Event.objects.get(dispute=first, seq=1)
            Event.objects.filter(dispute=first, seq__gt=1).delete()
            type(first).objects.filter(pk=first.pk).update(events_seq=1, events_head=kept.hash)
        elif fault == "event_edited":  # after the checkpoint, not re-hashed
            Event.objects.filter(dispute=first, seq=3).update(params={"amount": "9.00"})
        elif fault == "rechained_past_later_events":
            rechain(first, 1, params={"claim_total": "1.00"})
        elif fault == "new_dispute_forged":
            fresh = intake(actor=world.clerk, committee=world.committee)
            Event.objects.filter(dispute=fresh, seq=1).update(params={})
        else:  # same count, another head
            type(second).objects.filter(pk=second.pk).update(events_head="ab" * 32)
        with pytest.raises(CheckpointRefused) as refused:
            checkpoint_create()
        assert {"events_removed": "现在只有1条", "event_edited": "的第3条事件内容被改动",
                "new_dispute_forged": "的第1条事件内容被改动", "head_moved": "签署的链头不符",
                "rechained_past_later_events": "的第2条事件与上一个检查点签署的链头不符",
                }[fault] in refused.value.message

    def test_despite_a_reason_it_is_signed_and_the_reason_kept_and_listed(self, three):
        first, _second, _bare = three
        checkpoint_create()
        rechain(first, 1, params={"claim_total": "1.00"})
        made = checkpoint_create(despite="  从11月30日的备份恢复  ")
        lines = made.despite.splitlines()
        assert lines[0] == "从11月30日的备份恢复"
        assert f"纠纷#{first.pk}的第2条事件与" in lines[1]
        assert lines[1].endswith("签署的链头不符")
        audit = audit_chains()
        assert (audit.broken, audit.problems) == ([], [])
        assert len(audit.noted) == 1
        assert "1个纠纷的日志不连续，签署时已说明：从11月30日的备份恢复" in audit.noted[0]
        assert checkpoint_create().despite == ""  # the next one extends this one

    def test_a_blank_reason_is_no_reason(self, three):
        first, _second, _bare = three
        checkpoint_create()
        rechain(first, 1, params={"claim_total": "1.00"})
        with pytest.raises(CheckpointRefused):
            checkpoint_create(despite="   ")

    def test_a_previous_checkpoint_that_fails_its_own_check_stops_the_next(self, three):
        made = checkpoint_create()
        Checkpoint.objects.filter(pk=made.pk).update(root="0" * 64)
        with pytest.raises(CheckpointRefused) as refused:
            checkpoint_create()
        assert "签名无效" in refused.value.message

    def test_audit_names_a_checkpoint_that_does_not_extend_the_one_before(
            self, three, monkeypatch):
        """A checkpoint signed past the check (someone with the key): the record between
        the two was rewritten, and the audit says so although the chains fit the newest."""
        from jintiao.timeline import checkpoints

        first, _second, _bare = three
        older = checkpoint_create()
        rechain(first, 1, params={"claim_total": "1.00"})
        monkeypatch.setattr(checkpoints, "extension_problems", lambda previous, now: [])
        newer = checkpoint_create()
        audit = audit_chains()
        assert audit.broken == []
        assert audit.problems == [
            f"{_name(older)}到{_name(newer)}：纠纷#{first.pk}的第2条事件的链头变了"]
        assert audit.noted == []


def test_the_new_events_are_read_a_chunk_of_disputes_at_a_time(world, three, monkeypatch):
    from jintiao import clock
    from jintiao.timeline import checkpoints

    monkeypatch.setattr(checkpoints, "CHUNK", 1)
    first, second, bare = three
    checkpoint_create()
    for _ in range(2):
        for dispute in (first, second, bare):
            event_append(dispute=dispute, type=events.PAYMENT_RECORDED, actor=world.clerk,
                         at=clock.now(), params={"amount": "2.00"})
    Event.objects.filter(dispute=bare, seq=2).update(params={"amount": "9.00"})
    with pytest.raises(CheckpointRefused) as refused:
        checkpoint_create()
    assert f"纠纷#{bare.pk}的第2条事件内容被改动" in refused.value.message
    assert f"纠纷#{first.pk}" not in refused.value.message
