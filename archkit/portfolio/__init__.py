"""A portfolio's content beyond systems and decisions: summary, case studies, leadership, stories."""
