"""Scheduled work: reminders, default detection, follow-up planning and deadline checks.

Every job is idempotent: it locks each dispute, re-reads its state and writes through the
same services as people do, with unique rows for what must happen once (a reminder per
instalment, an event per passed deadline). ``jintiao jobs run`` runs them from cron; the
same jobs are tasks (``jintiao.jobs.tasks``) for the configured task backend.
"""
