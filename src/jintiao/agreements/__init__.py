"""The mediation agreement: drafted from the accepted plan, checked against the grounds a
court refuses on, signed by every party and the mediator with one-time codes, sealed."""
