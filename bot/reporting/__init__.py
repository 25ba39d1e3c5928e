"""Digests, the month report and their charts: the core's figures, drawn and sent."""
