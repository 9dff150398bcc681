"""Performance of the agreement: payments, reminders, follow-up visits, default and the
enforcement application, full payment and the credit-repair letter."""
