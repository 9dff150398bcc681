"""Parties: natural persons and legal entities, stored once and matched by identity number."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jintiao.domain.particulars import SEXES, IdType, RepRole


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTITY = "entity", _("法人或其他组织")


class Party(models.Model):
    """A person or entity that can appear in many disputes.

    The identity number (resident ID or credit code) is kept as a keyed hash for matching,
    ciphertext for roles that need it, and a masked form for display; never in clear.
    """

    kind = models.CharField(_("类别"), max_length=16, choices=PartyKind.choices)
    name = models.CharField(_("姓名或名称"), max_length=200)
    id_hash = models.CharField(max_length=64, unique=True, editable=False)
    id_cipher = models.TextField(editable=False)
    id_masked = models.CharField(_("证件号码"), max_length=32, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("手机号码"), max_length=16, blank=True, editable=False)
    address = models.CharField(_("住所"), max_length=300, blank=True)
    # particulars a court writes (domain.particulars): a person's are checked against the
    # ID number, an entity's name its legal representative or principal
    id_type = models.CharField(_("证件类型"), max_length=16, blank=True,
                               choices=[(t.value, t.label) for t in IdType])
    sex = models.CharField(_("性别"), max_length=2, blank=True,
                           choices=[(s, s) for s in SEXES])
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    residence = models.CharField(_("经常居住地"), max_length=300, blank=True)
    occupation = models.CharField(_("职业或工作单位"), max_length=200, blank=True)
    rep_role = models.CharField(_("代表人身份"), max_length=16, blank=True,
                                choices=[(r.value, r.label) for r in RepRole])
    rep_name = models.CharField(_("法定代表人或主要负责人"), max_length=100, blank=True)
    rep_title = models.CharField(_("职务"), max_length=100, blank=True)
    rep_id_cipher = models.TextField(blank=True, editable=False)
    rep_id_masked = models.CharField(_("代表人证件号码"), max_length=32, blank=True,
                                     editable=False)
    # optimistic concurrency of the particulars' edits (disputes.services.party_update)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["", *SEXES]), name="party_sex_known"),
            models.CheckConstraint(condition=Q(kind="person") | Q(sex="", birth_date=None),
                                   name="party_entity_has_no_sex_or_birth"),
        ]

    def __str__(self) -> str:
        return self.name


class PartyAccount(models.Model):
    """The sign-in of a person who is a party or a representative: made the first time they
    sign in to the party portal with a code sent to their registered mobile and their
    identity number, so they are matched to their disputes by verified identity."""

    user = models.OneToOneField("orgs.User", models.CASCADE, related_name="party_account")
    party = models.OneToOneField(Party, models.PROTECT, related_name="account")
    created_at = models.DateTimeField(_("开通时间"))
    # consent to electronic service (CPL Art. 90), given when the account is opened
    e_service_consented_at = models.DateTimeField(_("同意电子送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("当事人账户")
        verbose_name_plural = _("当事人账户")

    def __str__(self) -> str:
        return str(self.party)
