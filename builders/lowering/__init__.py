"""Lowering: evaluated Scheme records -> the frozen build plan (builders/plan.py).

lower.py is the boundary (every located check that needs the user's source),
validate.py the field rules, show.py and config_source.py print records back
(--dry-run, /etc/config.scm)."""
