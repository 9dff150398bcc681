"""Demo data: the organisation of scenario S5, a user per role, the seed disputes S1–S4 and
synthetic disputes, all written through the services (shared/domain/scenarios.md).

People in the demo are fictional; no one named in the source articles appears.
"""
