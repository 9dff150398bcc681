"""Scheduled work: reminders, default detection, follow-up planning, deadline checks, the
supervisors' figures and the daily signed checkpoint.

Every job is idempotent: it locks each dispute, re-reads its state and writes through the
same services as people do, with unique rows for what must happen once (a reminder per
instalment, an event per passed deadline, the system's checkpoint of the day). Each job is
a task of its own (``jintiao.jobs.tasks``): run in-process by default (``make run``), and in
production put on the django-tasks database queue by ``jintiao scheduler`` (one claim per
job and slot) and run by ``jintiao worker`` (db_worker with a lease, so a task whose worker
died is taken up again). ``jintiao jobs run`` runs them here and now, from cron or by hand;
``jintiao jobs status`` and the workbench's 任务队列 page show the queue and the last runs.
"""
