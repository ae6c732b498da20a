"""The demilitarised economic zone: projects, donors, money and tranche conditions (issue 15)."""
