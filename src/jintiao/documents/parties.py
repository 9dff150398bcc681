"""A party of a dispute as the documents write it (:func:`jintiao.documents.texts._parties`):
the particulars a court writes (domain.particulars), the number masked — the agreement and
the court filings put it in full where they must (agreements.content.with_numbers). One
builder for the committee's forms and the agreement alike."""

from __future__ import annotations

from typing import Any

from jintiao.disputes.models import DisputeParty
from jintiao.domain.particulars import RepRole
from jintiao.domain.representation import Authority, Relation


def party_as_written(row: DisputeParty) -> dict[str, Any]:
    p = row.party
    out: dict[str, Any] = {
        "row": row.pk, "role": row.role, "role_label": row.get_role_display(),
        "name": p.name, "kind": p.kind, "id_masked": p.id_masked, "address": p.address,
        "id_type": p.id_type,
        "representatives": [{"name": r.person.name, "relation": Relation(r.relation).label,
                             "authority": Authority(r.authority).label}
                            for r in row.representatives.all()],
    }
    if p.kind == "person":
        out.update(sex=p.sex, birth_date=p.birth_date.isoformat() if p.birth_date else "",
                   ethnicity=p.ethnicity, occupation=p.occupation, residence=p.residence)
    elif p.rep_name:
        out.update(rep_role=RepRole(p.rep_role or RepRole.LEGAL_REP).label,
                   rep_name=p.rep_name, rep_title=p.rep_title)
    return out
