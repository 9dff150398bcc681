"""``jintiao calc … --explain``: the working after the answer in text, and an ``explain``
object beside it with ``--json`` — the same explanation the pages and the API give."""

from __future__ import annotations

import json

import pytest

from jintiao.cli import main
from jintiao.domain.policy import SOURCES


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert err == ""
    (line,) = out.strip().splitlines()
    return code, json.loads(line)


class TestDeadline:
    def test_text_lists_the_spring_festival_days_skipped(self, capsys):
        code, out, _ = run(capsys, "calc", "deadline", "--start", "2026-01-30",
                           "--working-days", "15", "--explain")

        assert code == 0
        assert "期限届满日：2026-02-27（星期五）" in out
        assert "计算说明" in out
        assert "2026-02-16（星期一） 春节" in out
        assert "2026-02-14（星期六） 春节调休上班" in out
        assert "民事诉讼法第八十五条" in out

    def test_json_carries_the_explanation_beside_the_answer(self, capsys):
        code, data = run_json(capsys, "calc", "deadline", "--start", "2025-09-16", "--days",
                              "15", "--explain")

        assert code == 0
        assert data["due_on"] == "2025-10-09"
        facts = data["explain"]["facts"]
        assert facts["raw_end"] == "2025-10-01"
        assert facts["rolled_over"] is True
        assert [d["day"] for d in facts["skipped"]][:2] == ["2025-10-01", "2025-10-02"]
        assert {d["name"] for d in facts["skipped"]} >= {"国庆节"}
        assert any(s["label"] == "顺延" for s in data["explain"]["steps"])

    def test_a_policy_rule_names_its_source(self, capsys):
        _code, data = run_json(capsys, "calc", "deadline", "--start", "2026-03-02",
                               "--rule", "assignment_limit", "--explain")

        basis = data["explain"]["facts"]["basis"]
        assert basis["rule"] == "assignment_limit"
        assert basis["source"] == SOURCES["assignment_limit"]
        assert (data["amount"], data["unit"]) == (3, "working_days")

    def test_without_explain_the_json_is_as_before(self, capsys):
        _code, data = run_json(capsys, "calc", "deadline", "--start", "2026-03-02",
                               "--days", "3")

        assert "explain" not in data

    def test_an_unknown_rule_is_one_line_of_error(self, capsys):
        with pytest.raises(SystemExit) as exc:
            main(["calc", "deadline", "--start", "2026-03-02", "--rule", "no_such_limit"])
        _out, err = capsys.readouterr()

        assert exc.value.code == 2
        assert err.startswith("错误：")


class TestFee:
    def test_text_walks_the_brackets_and_cites_the_articles(self, capsys):
        code, out, _ = run(capsys, "calc", "fee", "--amount", "250277.13", "--procedure",
                           "mediated", "--explain")

        assert code == 0
        assert "超过200,000.00元至500,000.00元的部分：50,277.13元 × 1.5% = 754.15695元" in out
        assert "各段合计：各段费用相加（未取整） = 5,054.15695元" in out
        assert "减半" in out
        assert "诉讼费用交纳办法第十五条" in out
        assert "诉讼费用交纳办法第十四条第（一）项" in out  # the enforcement fee's

    def test_json_explains_each_fee(self, capsys):
        _code, data = run_json(capsys, "calc", "fee", "--amount", "2000000", "--explain")

        explained = data["explain"]
        assert set(explained) == {"acceptance_fee", "enforcement_fee", "preservation_fee",
                                  "saving"}
        saving = explained["saving"]
        assert saving["facts"]["total"] == data["saving"]["total"]
        assert [s["value"] for s in saving["steps"]][-2:] == ["60,000.00元", "82,800.00元"]
        preservation = explained["preservation_fee"]
        assert preservation["result"] == "5,000.00元"
        assert any(s["label"] == "最高限额" for s in preservation["steps"])
        lines = explained["acceptance_fee"]["facts"]["lines"]
        assert sum(float(x["base"]) for x in lines) == 2000000  # exact in binary too
        assert explained["acceptance_fee"]["facts"]["fee"] == data["acceptance_fee"]


class TestAfford:
    def test_a_payment_beyond_the_ratio_is_explained_and_exits_1(self, capsys):
        code, out, _ = run(capsys, "calc", "afford", "--payment", "3000", "--income", "8000",
                           "--obligations", "1500", "--dependants", "2", "--explain")

        assert code == 1
        assert "不可负担；每月最多可还 2,500.00 元" in out
        assert "每人每月790.00元 × 3人 = 2,370.00元" in out
        assert SOURCES["living_minimum_monthly"] in out
        assert "56.25%" in out

    def test_json_with_a_presumed_income_and_a_local_minimum(self, capsys):
        code, data = run_json(capsys, "calc", "afford", "--payment", "400",
                              "--living-minimum", "650", "--explain")

        assert code == 0
        assert data["income_presumed"] is True
        facts = data["explain"]["facts"]
        assert facts["monthly_income"] == "1890.00"
        assert facts["living_minimum"] == "650.00"
        assert facts["living_minimum_source"] == "命令行参数 --living-minimum"
        assert facts["affordable"] is True

    def test_an_enterprise_needs_its_cash_flow(self, capsys):
        code, out, err = run(capsys, "calc", "afford", "--payment", "400", "--enterprise")

        assert code == 2
        assert "--cash-flow" in err
        assert out == ""


class TestOwed:
    @pytest.fixture
    def schedule(self, capsys, tmp_path):
        code = main(["calc", "schedule", "--method", "flat", "--total", "12000", "--periods",
                     "6", "--first-due", "2027-01-20", "--json"])
        out, _err = capsys.readouterr()
        assert code == 0
        path = tmp_path / "schedule.json"
        path.write_text(out, encoding="utf-8")
        return str(path)

    def test_each_payment_is_allocated_oldest_first(self, capsys, schedule):
        code, data = run_json(capsys, "calc", "owed", "--schedule", schedule, "--paid",
                              "B1:2027-01-20:2000", "--paid", "B2:2027-03-01:2500",
                              "--as-of", "2027-04-10", "--explain")

        assert code == 0
        assert data["outstanding"] == "7500.00"
        assert data["overdue"] == "1500.00"
        b2 = data["allocations"][1]
        assert [(p["number"], p["amount"]) for p in b2["parts"]] == [(2, "2000.00"),
                                                                     (3, "500.00")]
        assert data["explain"]["kind"] == "account"

    def test_after_acceleration_the_doubled_interest_stretch_by_stretch(self, capsys, schedule):
        code, out, _ = run(capsys, "calc", "owed", "--schedule", schedule, "--paid",
                           "B1:2027-01-20:2000", "--as-of", "2027-04-10", "--accelerated-on",
                           "2027-03-21", "--late-rate", "0.000175", "--explain")

        assert code == 0
        assert "申请执行金额（计算至 2027-04-10）：10,045.50元" in out
        assert "第2期：2027-02-20至2027-04-10，2,000.00元 × 49天 × 0.0175% = 17.1500元" in out
        assert "第4期：原定2027-04-20" in out

    def test_a_payment_not_written_as_asked_is_one_line_of_error(self, capsys, schedule):
        with pytest.raises(SystemExit) as exc:
            main(["calc", "owed", "--schedule", schedule, "--paid", "B1-2027-01-20-2000"])
        _out, err = capsys.readouterr()

        assert exc.value.code == 2
        assert "流水号:YYYY-MM-DD:金额" in err

    def test_a_schedule_that_is_not_one_is_refused(self, capsys, tmp_path):
        bad = tmp_path / "x.json"
        bad.write_text("{}", encoding="utf-8")

        code, _out, err = run(capsys, "calc", "owed", "--schedule", str(bad))

        assert code == 2
        assert "无法读取还款计划" in err
