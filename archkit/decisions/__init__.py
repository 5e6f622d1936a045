"""Technical decision records: parse, number, link, check and renumber them."""

from archkit.decisions.checks import check_records, review_due
from archkit.decisions.record import Link, Option, Record, parse_record
from archkit.decisions.store import DecisionStore, LinkSpec, slugify

__all__ = [
    "DecisionStore",
    "Link",
    "LinkSpec",
    "Option",
    "Record",
    "check_records",
    "parse_record",
    "review_due",
    "slugify",
]
