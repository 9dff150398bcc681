"""Judicial confirmation: the joint application, the court's acceptance, the judge's review
against the same checklist the desk saw, and the ruling."""
