"""``jintiao calc``: the worked examples of the domain reference, text and JSON, and errors."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jintiao.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 1, "--json prints exactly one object on one line"
    return code, json.loads(lines[0])


def exits_with_one_line_error(capsys, *argv):
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


class TestWords:
    def test_s1_amount_in_words(self, capsys):
        code, out, _ = run(capsys, "calc", "words", "250277.13")
        assert code == 0
        assert out.strip() == "贰拾伍万零贰佰柒拾柒元壹角叁分"

    def test_reads_wan_and_prints_json(self, capsys):
        _code, data = run_json(capsys, "calc", "words", "10万")
        assert data == {"amount": "100000.00", "formatted": "100,000.00", "words": "壹拾万元整"}

    def test_switches(self, capsys):
        _, out, _ = run(capsys, "calc", "words", "107000.53", "--zero-after-wan", "--prefix")
        assert out.strip() == "人民币壹拾万零柒仟元伍角叁分"
        _, out, _ = run(capsys, "calc", "words", "1409.5", "--no-zheng-after-jiao")
        assert out.strip() == "壹仟肆佰零玖元伍角"


class TestFee:
    def test_worked_example_250277_13(self, capsys):
        code, data = run_json(capsys, "calc", "fee", "--amount", "250277.13")
        assert code == 0
        assert data["acceptance_fee"] == "5054.16"
        assert data["enforcement_fee"] == "3654.16"
        assert data["preservation_fee"] == "1771.39"
        assert data["confirmation_fee"] == "0.00"
        assert data["halvings"] == 0

    @pytest.mark.parametrize("procedure", ["simple", "mediated", "simple-mediated"])
    def test_halved_once(self, capsys, procedure):
        _, data = run_json(capsys, "calc", "fee", "--amount", "250,277.13",
                           "--procedure", procedure)
        assert data["acceptance_fee"] == "2527.08"
        assert data["acceptance_fee_full"] == "5054.16"

    def test_halvings_stack_only_when_asked(self, capsys):
        _, data = run_json(capsys, "calc", "fee", "--amount", "250277.13",
                           "--procedure", "simple-mediated", "--stack-halvings")
        assert data["acceptance_fee"] == "1263.54"

    def test_whole_yuan_rounding(self, capsys):
        _, data = run_json(capsys, "calc", "fee", "--amount", "250277.13", "--round", "yuan")
        assert data["acceptance_fee"] == "5054.00"

    def test_text_output_explains_the_brackets(self, capsys):
        code, out, _ = run(capsys, "calc", "fee", "--amount", "250277.13")
        assert code == 0
        assert "5,054.16" in out
        assert "2.5%" in out
        assert "1.5%" in out
        assert "伍仟" not in out  # the words are of the claim, not of the fee
        assert "贰拾伍万零贰佰柒拾柒元壹角叁分" in out


class TestDeadline:
    @pytest.mark.parametrize(
        ("start", "days", "due"),
        [
            ("2026-09-05", "30", "2026-10-08"),
            ("2026-09-10", "30", "2026-10-10"),
            ("2026-01-20", "30", "2026-02-24"),
            ("2026-04-20", "15", "2026-05-06"),
        ],
    )
    def test_reference_examples(self, capsys, start, days, due):
        code, data = run_json(capsys, "calc", "deadline", "--start", start, "--days", days)
        assert code == 0
        assert data["due_on"] == due
        assert data["provisional"] is False

    def test_working_days_across_national_day(self, capsys):
        _, data = run_json(capsys, "calc", "deadline", "--start", "2026-09-28",
                           "--working-days", "15")
        # 29, 30 Sep; 8, 9, 10 (make-up Sat), 12–16, 19–23 Oct → the 15th is 23 Oct
        assert data["due_on"] == "2026-10-23"

    def test_a_year_not_yet_published_is_provisional(self, capsys):
        code, out, _ = run(capsys, "calc", "deadline", "--start", "2027-03-01", "--days", "30")
        assert code == 0
        assert "暂定" in out


class TestSchedule:
    def test_s1_sixty_flat_instalments(self, capsys):
        code, data = run_json(capsys, "calc", "schedule", "--method", "flat",
                              "--total", "250277.13", "--periods", "60",
                              "--first-due", "2026-12-20")
        assert code == 0
        rows = data["instalments"]
        assert len(rows) == 60
        assert {r["payment"] for r in rows[:59]} == {"4171.28"}
        assert rows[59]["payment"] == "4171.61"
        assert rows[59]["remaining"] == "0.00"
        assert data["total_payment"] == "250277.13"
        assert rows[59]["due_on"] == "2031-11-20"

    def test_grace_on_an_interest_free_plan_moves_its_first_instalment(self, capsys):
        """Three months' grace with nothing to pay in them: the first of the twelve
        instalments falls due three months after --first-due, as on the plan designer."""
        code, data = run_json(capsys, "calc", "schedule", "--method", "flat",
                              "--total", "12000", "--periods", "12",
                              "--first-due", "2027-01-20", "--grace", "3")
        assert code == 0
        assert [r["due_on"] for r in data["instalments"]][::11] == ["2027-04-20", "2028-03-20"]
        assert data["last_due_on"] == "2028-03-20"

    def test_equal_installment_matches_a_bank_example(self, capsys):
        _, data = run_json(capsys, "calc", "schedule", "--method", "equal-installment",
                           "--principal", "1000000", "--annual-rate", "4.9%",
                           "--periods", "360", "--first-due", "2027-01-31")
        assert data["regular_payment"] == "5307.27"
        assert data["instalments"][1]["due_on"] == "2027-02-28"

    def test_text_table(self, capsys):
        code, out, _ = run(capsys, "calc", "schedule", "--method", "equal-principal",
                           "--principal", "12000", "--annual-rate", "0.06", "--periods", "12",
                           "--first-due", "2027-01-15")
        assert code == 0
        assert "等额本金" in out
        assert "合计应还" in out

    def test_needs_exactly_one_amount(self, capsys):
        code, _out, err = run(capsys, "calc", "schedule", "--method", "flat", "--periods", "3",
                             "--first-due", "2027-01-15")
        assert code == 2
        assert err.count("\n") == 1
        assert "--total" in err


class TestId:
    def test_valid_resident_id(self, capsys):
        code, data = run_json(capsys, "calc", "id", "11010519491231002X")
        assert code == 0
        assert data["kind"] == "resident_id"
        assert data["valid"] is True
        assert data["birth_date"] == "1949-12-31"

    def test_invalid_checksum_says_why_and_exits_1(self, capsys):
        code, out, _ = run(capsys, "calc", "id", "110105194912310021")
        assert code == 1
        assert "无效" in out
        assert "校验" in out

    def test_credit_code(self, capsys):
        code, data = run_json(capsys, "calc", "id", "91110000600037341L")
        assert code == 0
        assert data["kind"] == "credit_code"

    def test_a_birth_date_still_to_come_is_invalid_today(self, capsys):
        """Without ``--on`` the number is checked as of today, like at intake."""
        from jintiao import clock
        from jintiao.domain import identity

        born = clock.today() + dt.timedelta(days=1)
        first17 = f"110105{born:%Y%m%d}002"
        number = first17 + identity.resident_id_check_char(first17)
        code, out, _ = run(capsys, "calc", "id", number)
        assert code == 1
        assert "无效" in out
        assert f"出生日期{born.isoformat()}晚于{clock.today().isoformat()}" in out
        code, _data = run_json(capsys, "calc", "id", number, "--on", born.isoformat())
        assert code == 0

    def test_kailis_region_code_is_named(self, capsys):
        """522601 (凯里市, since 1983) is named for a holder born after it was created."""
        code, out, _ = run(capsys, "calc", "id", "522601199005170011")
        assert code == 0, out
        assert "地区：贵州省黔东南苗族侗族自治州凯里市" in out
        assert "提示" not in out


class TestClaims:
    def test_interest_between_two_dates(self, capsys):
        _, data = run_json(capsys, "calc", "interest", "--balance", "100000",
                           "--annual-rate", "3.65%", "--start", "2026-01-01",
                           "--end", "2026-01-11")
        assert data["interest"] == "100.00"
        assert data["days"] == 10

    def test_cap_reports_the_excess(self, capsys):
        _, data = run_json(capsys, "calc", "cap", "--principal", "100000",
                           "--interest", "20000", "--penalty-interest", "8000",
                           "--fees", "2000", "--start", "2025-01-01", "--as-of", "2026-01-01")
        assert data["allowed"] == "24000.00"
        assert data["excess"] == "6000.00"


class TestBadInput:
    @pytest.mark.parametrize(
        "argv",
        [
            ["calc", "words", "abc"],
            ["calc", "words", "-5"],
            ["calc", "fee", "--amount", "1.234"],
            ["calc", "fee"],
            ["calc", "deadline", "--start", "2026-02-30", "--days", "3"],
            ["calc", "deadline", "--start", "2026-02-01"],
            ["calc", "deadline", "--start", "2026-02-01", "--days", "-3"],
            ["calc", "schedule", "--method", "weekly", "--total", "1", "--periods", "1",
             "--first-due", "2027-01-01"],
            ["calc", "interest", "--balance", "1", "--annual-rate", "4.35", "--start",
             "2026-01-01", "--end", "2026-02-01"],
            ["calc", "nothing"],
        ],
    )
    def test_exits_2_with_one_bilingual_line(self, capsys, argv):
        try:
            code = main(argv)
            _, err = capsys.readouterr()
        except SystemExit as exc:
            code = exc.code
            _, err = capsys.readouterr()
        assert code == 2
        assert err.startswith("错误：")
        assert err.count("\n") == 1
        assert any("a" <= ch.lower() <= "z" for ch in err)
        assert "Traceback" not in err

    def test_domain_refusal_inside_a_command(self, capsys):
        code, _, err = run(capsys, "calc", "schedule", "--method", "flat", "--total", "100",
                           "--periods", "0", "--first-due", "2027-01-01")
        assert code == 2
        assert err.startswith("错误：")
        assert err.count("\n") == 1


class TestConsoleScript:
    def test_installed_command_runs_without_a_traceback(self):
        exe = Path(sys.executable).with_name("jintiao")
        if not exe.exists():
            pytest.skip("console script not installed in this environment")
        done = subprocess.run(  # noqa: S603 - our own installed script, fixed arguments
            [str(exe), "calc", "words", "abc"], capture_output=True, text=True,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"}, check=False,
        )
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        assert done.stderr.startswith("错误：")


def test_a_closed_pipe_ends_quietly():
    """`jintiao calc schedule … | head -1` used to end in a BrokenPipeError traceback."""
    exe = Path(sys.executable).with_name("jintiao")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    proc = subprocess.Popen(  # noqa: S603 - our own installed script, fixed arguments
        [str(exe), "calc", "schedule", "--method", "flat", "--total", "1000000",
         "--periods", "600", "--first-due", "2027-01-01"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ,
                                                             "PYTHONIOENCODING": "utf-8"})
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=30)
    assert "Traceback" not in err
