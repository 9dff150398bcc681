"""What the administrator sees of the background work — the queue's depth, each job's last
run and failure, the workers — on the workbench (administrators only), in the admin and from
``jintiao jobs status``; and the commands' refusals, in both languages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from jintiao import clock
from jintiao.cli import main
from jintiao.domain.lifecycle import Role
from jintiao.jobs import selectors, tasks
from jintiao.jobs.leases import lease_register
from jintiao.jobs.models import JobRun, WorkerLease
from tests.factories import UserFactory
from tests.web.test_accessibility import problems

pytestmark = pytest.mark.django_db

ON_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NOW = dt.datetime(2027, 1, 17, 10, 35, tzinfo=clock.TZ)


@pytest.fixture
def history(settings):
    """Two tasks waiting, one running on a live worker, one on a dead one; a successful
    reminders run and a failed figures run."""
    settings.TASKS = ON_QUEUE
    settings.JINTIAO_TASK_LEASE_SECONDS = 60
    from django_tasks_db.models import DBTaskResult

    tasks.enqueue("reminders")
    tasks.enqueue("deadlines")
    for worker in ("live", "dead"):
        lease_register(worker)
        result = tasks.enqueue("follow_ups")
        DBTaskResult.objects.filter(pk=result.id).update(
            status="RUNNING", worker_ids=[worker],
            started_at=timezone.now() - dt.timedelta(minutes=5))
    WorkerLease.objects.filter(worker_id="dead").update(
        beat_at=timezone.now() - dt.timedelta(minutes=5))
    started = timezone.now() - dt.timedelta(hours=1)
    JobRun.objects.create(job="reminders", day=NOW.date(), started_at=started,
                          finished_at=started, status=JobRun.Status.SUCCEEDED, done=3,
                          failures=1, worker="host:1")
    JobRun.objects.create(job="figures", day=NOW.date(), started_at=started,
                          finished_at=started, status=JobRun.Status.FAILED,
                          error="django.db.utils.OperationalError")


def test_the_queue_depth_and_each_jobs_last_run(history):
    depth = selectors.queue_depth()
    assert (depth.on_queue, depth.ready, depth.running, depth.stalled) == (True, 2, 2, 1)
    with clock.pinned(NOW):
        jobs = {j.name: j for j in selectors.job_statuses()}
    assert jobs["reminders"].last.done == 3
    assert jobs["reminders"].next_at == dt.datetime(2027, 1, 17, 15, tzinfo=clock.TZ)
    assert jobs["reminders"].last_failure is None
    assert jobs["figures"].last_failure.error == "django.db.utils.OperationalError"
    assert jobs["deadlines"].last is None
    assert [(w.lease.worker_id, w.alive) for w in selectors.workers()] in (
        [("live", True), ("dead", False)], [("dead", False), ("live", True)])


def test_jobs_status_on_the_command_line(history, capsys):
    with clock.pinned(NOW):
        assert main(["jobs", "status"]) == 0
    out = capsys.readouterr().out
    assert "队列：可运行 2，延后 0，运行中 2（工作进程失联 1）" in out
    assert "还款提醒（reminders）每日 09:00、15:00，下次 2027-01-17 15:00:00；最近：成功" in out
    assert "处理 3 件，失败 1 件" in out
    assert "统计数据更新（figures）" in out
    assert "失败" in out.split("统计数据更新（figures）")[1].splitlines()[0]
    assert "期限届满检查（deadlines）每日 01:00，下次 2027-01-18 01:00:00；最近：从未运行" in out
    assert main(["jobs", "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["queue"]["stalled"] == 1
    assert {j["job"]: j["last"] and j["last"]["status"] for j in data["jobs"]}["figures"] \
        == "failed"


def test_on_the_in_process_backend_status_says_there_is_no_queue(capsys):
    assert main(["jobs", "status"]) == 0
    assert "任务在进程内立即运行" in capsys.readouterr().out


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_queue_page_is_the_administrators(world, history):
    administrator = UserFactory(organization=world.prefecture, roles=[Role.ADMINISTRATOR])
    page = client_for(administrator).get("/jobs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "任务队列" in html
    assert "还款提醒" in html
    assert "django.db.utils.OperationalError" in html  # the figures run's failure
    assert "失联" in html  # the dead worker
    assert problems(html) == []
    for refused in (world.supervisor, world.clerk, world.director, world.judge, world.agent):
        response = client_for(refused).get("/jobs/")
        assert response.status_code == 404, refused
        assert "/jobs/" not in client_for(refused).get("/").content.decode()
    assert 'href="/jobs/"' in client_for(administrator).get("/").content.decode()
    anonymous = Client().get("/jobs/")
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    assert client_for(administrator).post("/jobs/").status_code == 405


def test_the_admin_lists_runs_claims_and_workers_read_only(history, admin_client):
    listing = admin_client.get("/admin/jobs/jobrun/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "任务队列" in html
    assert "可运行 2" in html
    assert "还款提醒" in html
    for url in ("/admin/jobs/slotclaim/", "/admin/jobs/workerlease/",
                "/admin/django_tasks_database/dbtaskresult/"):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/admin/jobs/jobrun/add/").status_code == 403


def test_the_commands_refuse_in_both_languages(capsys):
    assert main(["jobs", "run", "--only", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "错误：没有这个定时任务：nosuch" in err
    assert "(error: no such job: nosuch" in err
    assert main(["jobs", "enqueue", "reminders", "nosuch"]) == 2
    assert "没有这个定时任务：nosuch" in capsys.readouterr().err
    assert main(["jobs", "enqueue", "reminders", "--date", "2099-01-01"]) == 2
    assert "不能按将来的日期2099-01-01运行定时任务" in capsys.readouterr().err
    assert main(["worker", "--batch"]) == 2  # the in-process backend has no queue to serve
    err = capsys.readouterr().err
    assert "任务后端不是数据库队列" in err
    assert "(error: the task backend is not the database queue" in err
    for bad in (["worker", "--interval", "0"], ["worker", "--max-tasks", "0"],
                ["worker", "--worker-id", "x" * 65]):
        with pytest.raises(SystemExit) as refused:
            main(bad)
        assert refused.value.code == 2
        assert capsys.readouterr().err.startswith("错误：")


def test_a_bad_lease_setting_is_said_at_start(settings, capsys):
    settings.TASKS = ON_QUEUE
    settings.JINTIAO_TASK_LEASE_SECONDS = "soon"
    assert main(["worker", "--batch"]) == 2
    err = capsys.readouterr().err
    assert "JINTIAO_TASK_LEASE_SECONDS应为数字：soon" in err
    assert "(error: JINTIAO_TASK_LEASE_SECONDS is not a number: soon)" in err


def test_jobs_enqueue_puts_a_job_on_the_queue_and_jobs_run_records_its_run(settings, capsys):
    settings.TASKS = ON_QUEUE
    assert main(["jobs", "enqueue", "figures", "deadlines"]) == 0
    assert capsys.readouterr().out.count("已加入队列") == 2
    assert selectors.queue_depth().ready == 2
    assert main(["jobs", "run", "--only", "deadlines"]) == 0
    assert "期限届满检查：0 (deadlines: 0)" in capsys.readouterr().out
    run = JobRun.objects.get()
    assert (run.job, run.status, run.done, run.task_id) == ("deadlines", "succeeded", 0, "")
