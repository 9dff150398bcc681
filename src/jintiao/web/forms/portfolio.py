"""Forms of portfolio offers (issue 20 §5): the desk's terms for a batch of standard menus,
and the debtor's choice on the portal. The rules are the services'; the forms only read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jintiao.web.forms.base import Form
from jintiao.web.forms.disputes import TextField, date_field


class MenuBatchForm(Form):
    # its fields share the list's batch form with the accept and assign buttons, which a
    # browser's own check of an empty required box would block: the service refuses
    use_required_attribute = False

    reply_by = date_field(_("债务人选择期限"))
    reply_by.help_text = _("调解期限更早的纠纷，选择期限自动提前至其调解期限")
    performance_manner = TextField(
        label=_("履行方式（收款账户、还款方式）"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写入债务人选定方案后生成的调解协议，如“按期存入其在本行开立的还款账户”"))
    text = forms.BooleanField(label=_("同时短信通知债务人（按联系时段和次数限制发送）"),
                              required=False)


class MenuChoiceForm(Form):
    offer = forms.IntegerField(label=_("所选方案"), min_value=1, max_value=2**53,
                               widget=forms.HiddenInput)
    agree = forms.BooleanField(label=_("我已阅读该方案的全部条款，同意按此方案还款"))
