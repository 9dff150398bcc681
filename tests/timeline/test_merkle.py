"""The checkpoints' Merkle tree (issue 18 §4b): RFC 6962's tree, so any leaf set gives
inclusion proofs that verify, and any flipped bit — in the leaf, the path, the root or the
position — makes one fail."""

from __future__ import annotations

import hashlib

from hypothesis import assume, given
from hypothesis import strategies as st

from jintiao.timeline.hashing import (
    GENESIS,
    Head,
    _levels,
    inclusion_proof,
    leaf_hash,
    merkle_root,
    verify_inclusion,
)


def rfc6962_root(data: list[bytes]) -> bytes:
    """RFC 6962 §2.1's Merkle Tree Hash, written as the RFC defines it (recursively)."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1 << (len(data) - 1).bit_length() - 1
    return hashlib.sha256(b"\x01" + rfc6962_root(data[:k]) + rfc6962_root(data[k:])).digest()


# The certificate-transparency reference tests' leaves and the roots of their first n.
CT_LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
             "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]


def test_the_tree_is_rfc6962s_on_the_reference_vectors():
    hashes = [hashlib.sha256(b"\x00" + bytes.fromhex(x)).digest() for x in CT_LEAVES]
    for n, expected in enumerate(CT_ROOTS, 1):
        assert _levels(hashes[:n])[-1][0].hex() == expected
        assert rfc6962_root([bytes.fromhex(x) for x in CT_LEAVES[:n]]).hex() == expected


def test_no_leaves_is_the_hash_of_nothing():
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()


def test_a_leaf_is_the_hash_of_its_text_after_a_zero_byte():
    leaf = Head(12, 3, "ab" * 32)
    assert leaf.text() == f"12:3:{'ab' * 32}"
    assert leaf_hash(leaf) == hashlib.sha256(b"\x00" + leaf.text().encode()).digest()
    assert merkle_root([leaf]) == leaf_hash(leaf).hex()


heads = st.builds(Head, st.integers(1, 10**9), st.integers(0, 10**6),
                  st.sampled_from([GENESIS, "ab" * 32, "0f" * 32])
                  | st.binary(min_size=32, max_size=32).map(bytes.hex))
leaf_sets = st.lists(heads, min_size=1, max_size=70, unique_by=lambda h: h.dispute_id).map(
    sorted)


@given(leaf_sets)
def test_the_root_is_rfc6962s_for_any_leaf_set(leaves):
    assert merkle_root(leaves) == rfc6962_root([x.text().encode() for x in leaves]).hex()


@given(leaf_sets)
def test_every_inclusion_proof_verifies(leaves):
    root = merkle_root(leaves)
    for index, leaf in enumerate(leaves):
        assert verify_inclusion(leaf, index, len(leaves), inclusion_proof(leaves, index), root)


def flip(hex_text: str, bit: int) -> str:
    raw = bytearray(bytes.fromhex(hex_text))
    raw[bit // 8 % len(raw)] ^= 1 << bit % 8
    return raw.hex()


@given(leaf_sets, st.data())
def test_any_flipped_bit_fails(leaves, data):
    index = data.draw(st.integers(0, len(leaves) - 1), label="index")
    leaf, count = leaves[index], len(leaves)
    path, root = inclusion_proof(leaves, index), merkle_root(leaves)
    bit = data.draw(st.integers(0, 255), label="bit")
    # the root
    assert not verify_inclusion(leaf, index, count, path, flip(root, bit))
    # the leaf: its head, its number of events, its dispute
    assert not verify_inclusion(Head(leaf.dispute_id, leaf.seq, flip(leaf.head, bit)), index,
                                count, path, root)
    assert not verify_inclusion(Head(leaf.dispute_id, leaf.seq ^ 1 << bit % 20, leaf.head),
                                index, count, path, root)
    assert not verify_inclusion(Head(leaf.dispute_id ^ 1 << bit % 30, leaf.seq, leaf.head),
                                index, count, path, root)
    # any hash of the path
    if path:
        at = data.draw(st.integers(0, len(path) - 1), label="step")
        bent = [*path[:at], flip(path[at], bit), *path[at + 1:]]
        assert not verify_inclusion(leaf, index, count, bent, root)
        assert not verify_inclusion(leaf, index, count, path[:-1], root)  # a step short
    assert not verify_inclusion(leaf, index, count, [*path, "00" * 32], root)  # one too many


@given(leaf_sets, st.data())
def test_a_proof_holds_only_at_its_own_place(leaves, data):
    index = data.draw(st.integers(0, len(leaves) - 1), label="index")
    other = data.draw(st.integers(0, len(leaves) + 3), label="other")
    assume(other != index)
    leaf, path = leaves[index], inclusion_proof(leaves, index)
    assert not verify_inclusion(leaf, other, len(leaves), path, merkle_root(leaves))


def test_a_lone_node_is_promoted_not_duplicated():
    """Duplicating the odd node would give [a, b, c] and [a, b, c, c] one root
    (Bitcoin's CVE-2012-2459); promoting it keeps them apart."""
    a, b, c = (Head(n, 1, GENESIS) for n in (1, 2, 3))
    assert merkle_root([a, b, c]) != merkle_root([a, b, c, c])
    assert inclusion_proof([a, b, c], 2) == [merkle_root([a, b])]
