"""The organisation tree and its users.

Every user belongs to one node; what they see follows from their roles and that node.
Subtrees are found through a materialised ``path`` ("/1/5/12/"), written only by
:func:`jintiao.orgs.services.organization_create`.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jintiao.domain.lifecycle import ROLE_LABELS, Role


class OrgKind(models.TextChoices):
    LEADING_GROUP = "leading_group", _("领导小组")
    COMMITTEE = "committee", _("金融纠纷人民调解委员会")
    GOVERNANCE_CENTRE = "governance_centre", _("综治中心")
    COURT = "court", _("人民法院")
    INSTITUTION = "institution", _("金融机构")
    BRANCH = "branch", _("分支机构")
    REGULATOR = "regulator", _("金融监管部门")
    TOWNSHIP = "township", _("乡镇（街道）节点")
    OPERATOR = "operator", _("平台运营单位")


# A bank or credit union and its branches: the nodes that are parties' institutions.
INSTITUTION_KINDS = (OrgKind.INSTITUTION, OrgKind.BRANCH)


class Organization(models.Model):
    """A node of the organisation tree: a leading group, committee, court, bank branch…

    ``accepted_types`` and ``accepted_channels`` are a committee's scope (empty = any).
    ``credit_code`` is the unified social credit code it is registered under (GB 32100),
    one node per code: intake checks a creditor's name against it.
    """

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=32, choices=OrgKind.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("上级单位"))
    region_code = models.CharField(_("行政区划代码"), max_length=6)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, default="")
    # a court's code in its case numbers, as the SPC publishes it (黔2601); courts only
    court_code = models.CharField(_("法院代字"), max_length=8, blank=True, default="")
    path = models.CharField(max_length=255, unique=True, editable=False)
    accepted_types = models.JSONField(_("受理纠纷类型"), default=list, blank=True)
    accepted_channels = models.JSONField(_("受理来源渠道"), default=list, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.CheckConstraint(condition=Q(region_code__regex=r"^[0-9]{6}$"),
                                   name="org_region_code_six_digits"),
            models.UniqueConstraint(fields=["parent", "name"], name="org_unique_name_in_parent"),
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="org_credit_code_unique"),
            # two courts with one code would number two cases alike (case numbers are
            # unique only per court)
            models.UniqueConstraint(fields=["court_code"], condition=~Q(court_code=""),
                                    name="org_court_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in; belongs to one organisation node."""

    organization = models.ForeignKey(Organization, models.PROTECT, null=True, blank=True,
                                     related_name="users", verbose_name=_("所属单位"))
    # A work mobile: signing codes for the agreements this user signs (mediators, agents).
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class UserRole(models.Model):
    """A role a user holds (DESIGN.md §1); a user may hold several."""

    user = models.ForeignKey(User, models.CASCADE, related_name="role_rows")
    role = models.CharField(
        _("角色"), max_length=32,
        choices=[(r.value, ROLE_LABELS[r]) for r in Role if r is not Role.SYSTEM],
    )

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


class TokenScope(models.TextChoices):
    """What an API token may do (every operation of the API needs one of these)."""

    READ = "read", _("查询")
    INTAKE = "intake", _("登记与办理")
    PAYMENTS = "payments", _("还款与履行")
    DOCUMENTS = "documents", _("文书与签署")


class ApiToken(models.Model):
    """A bearer token for the HTTP API. Only its SHA-256 is stored; the token is shown once.

    A token lives until ``expires_at``, does only what its ``scopes`` allow, and names the
    institution's ``system`` it was issued to (核心系统, 催收系统…) so that each system holds
    its own and one can be revoked without stopping the others.
    """

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    name = models.CharField(_("用途"), max_length=100, blank=True)
    system = models.CharField(_("使用系统"), max_length=50, blank=True)
    scopes = models.JSONField(_("权限范围"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    # written at most once a minute (jintiao.orgs.services.token_used), not on every request
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked = models.BooleanField(_("已吊销"), default=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("吊销人"))

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        indexes = [models.Index(fields=["prefix"], name="api_token_prefix")]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @property
    def scope_labels(self) -> list[str]:
        """The scopes in words (查询, 登记与办理…), for pages."""
        return [str(TokenScope(s).label) for s in self.scopes if s in TokenScope.values]


class MediatorProfile(models.Model):
    """What ranking needs to know about a mediator: expertise, load ceiling, availability,
    and the institutions they are affiliated with besides their employer (a retired bank
    manager still tied to the bank, a director on a credit union's board)."""

    user = models.OneToOneField(User, models.CASCADE, related_name="mediator_profile")
    expertise = models.JSONField(_("擅长纠纷类型"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(_("在办上限"), default=15)
    available = models.BooleanField(_("可指派"), default=True)
    full_time = models.BooleanField(_("专职"), default=False)
    affiliations = models.ManyToManyField(Organization, blank=True, related_name="+",
                                          verbose_name=_("关联机构"))

    class Meta:
        verbose_name = _("调解员档案")
        verbose_name_plural = _("调解员档案")
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1),
                                              name="mediator_capacity_positive")]


class AuthorityGrant(models.Model):
    """An institution officer's limits (分级授权): what they may concede without approval.
    Approvers higher up the institution's tree hold wider grants."""

    user = models.OneToOneField(User, models.CASCADE, related_name="authority")
    max_charge_waiver_ratio = models.DecimalField(_("费息减免比例上限"), max_digits=5,
                                                  decimal_places=4, default=0)
    max_principal_waiver_ratio = models.DecimalField(_("本金减免比例上限"), max_digits=5,
                                                     decimal_places=4, default=0)
    max_term_months = models.PositiveSmallIntegerField(_("最长期限（月）"), default=12)
    min_annual_rate = models.DecimalField(_("最低年利率"), max_digits=7, decimal_places=6,
                                          default=0)
    max_deferral_months = models.PositiveSmallIntegerField(_("最长延期（月）"), default=0)
    note = models.CharField(_("授权依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("授权额度")
        verbose_name_plural = _("授权额度")
        constraints = [
            models.CheckConstraint(condition=Q(max_charge_waiver_ratio__gte=0)
                                   & Q(max_charge_waiver_ratio__lte=1)
                                   & Q(max_principal_waiver_ratio__gte=0)
                                   & Q(max_principal_waiver_ratio__lte=1),
                                   name="authority_ratios_in_range"),
            models.CheckConstraint(condition=Q(max_term_months__gte=1),
                                   name="authority_term_positive"),
        ]
