"""The demo bank's sample element table (``docs/要素表示例.xlsx``, issue 20 §1): twelve card
and consumer-loan debts of the Kaili branch in the template's columns, two of them with the
mistakes banks' files most often hold (an ID number's check digit, an amount typed with a
letter), so that uploading it shows both what is filed and how a refusal is reported.

    DJANGO_SETTINGS_MODULE=jintiao.config.settings_test \
        python -m jintiao.demo.element_sample docs/要素表示例.xlsx
"""

from __future__ import annotations

import io
import sys

from jintiao.domain import identity

SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "建国 秀英 志强 丽华 小平 春梅 国庆 桂兰 海波 晓燕 德明 玉珍".split()
STREETS = ("北京东路", "韶山南路", "营盘东路", "文化北路", "大十字街", "永丰路")


def _card(n: int) -> str:
    """A card number of the demo bank with its Luhn check digit."""
    from jintiao.domain.intake import luhn_valid

    body = f"622202{n:012d}"
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def _resident_id(n: int, *, male: bool) -> str:
    """A Kaili resident's number whose sex digit is the person's (odd for a man): the
    agreement prints the sex the number gives."""
    sequence = 100 + 2 * n + (1 if male else 0)
    first17 = f"52260119{78 + n % 17:02d}{1 + n % 12:02d}{10 + n % 18:02d}{sequence:03d}"
    return first17 + identity.resident_id_check_char(first17)


def sample_rows() -> list[dict[str, str]]:
    rows = []
    for n in range(12):
        card = n % 3 != 2
        rows.append({
            "机构业务编号": f"KL-{'XYK' if card else 'XFD'}-2026-{n + 1:04d}",
            "合同编号或卡号": _card(n) if card else f"黔凯信贷字（2024）第{210 + n}号",
            "纠纷类型": "信用卡纠纷" if card else "消费贷款纠纷",
            "债权计算日": "2026-11-30", "欠息起算日": f"2025-{3 + n % 6:02d}-{10 + n:02d}",
            "本金": f"{18000 + 3150 * n}.00",
            "利息": f"{1200 + 97 * n}.35", "罚息": f"{130 + 11 * n}.00" if n % 2 else "",
            "已告知非诉讼方式": "是",
            "纠纷概要": "持卡人自2025年起未按期还款，经催收未果。" if card
            else "借款人经营困难，逾期未归还消费贷款。",
            "债务人姓名或名称": SURNAMES[n % 10] + GIVEN[n],
            "债务人证件号码": _resident_id(n, male=n % 2 == 0),  # 建国, 秀英, 志强…
            "债务人手机": f"1380855{n:04d}",
            "债务人住所": f"贵州省凯里市{STREETS[n % 6]}{12 + n}号",
        })
    rows[4]["债务人证件号码"] = rows[4]["债务人证件号码"][:-1] + (
        "0" if rows[4]["债务人证件号码"][-1] != "0" else "1")  # a check digit that fails
    rows[9]["本金"] = "46,5OO.00"  # the letter O typed for zeros
    rows[7]["担保人1姓名或名称"] = "杨德明"
    rows[7]["担保人1证件号码"] = _resident_id(40, male=True)
    rows[7]["担保人1手机"] = "13908551234"
    return rows


def sample_xlsx() -> bytes:
    import xlsxwriter

    from jintiao.disputes.element_table import HEADERS, REQUIRED, TEXT_COLUMNS

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF"})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("要素表")
    for col, header in enumerate(HEADERS):
        sheet.write_string(0, col, ("*" if header in REQUIRED else "") + header, head)
        sheet.set_column(col, col, 16, text if header in TEXT_COLUMNS else None)
    for line, row in enumerate(sample_rows(), start=1):
        for col, header in enumerate(HEADERS):
            if row.get(header):
                sheet.write_string(line, col, row[header])
    book.close()
    return out.getvalue()


if __name__ == "__main__":
    import django

    django.setup()
    with open(sys.argv[1], "wb") as out:
        out.write(sample_xlsx())
