"""Verification: the withdrawal timeline (reciprocal, sequenced steps with deadlines that
each end with a recorded outcome) and the monitors' inspections, reports, findings and
access denials (docs/verification.md)."""
