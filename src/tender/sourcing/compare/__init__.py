"""`tender compare`'s pure part: per-party accounts of a plan, deltas between variants, break-even search."""
