"""Edge renderers of a `tender.sourcing.Plan`: JSON, ledger CSV, Rich tables and the HTML report,
and `verified`: the independent checker's verdict on a plan before it is rendered. `PlanRenders` is what
`tender plan` writes for one verified plan, the same for the CLI and the service. The HTML report
(`report_html.report_html`, with plotly) loads only when a report is rendered."""

from tender.plan_output.json_out import plan_to_dict, plan_to_json
from tender.plan_output.ledger_csv import LEDGER_COLUMNS, ledger_csv
from tender.plan_output.rendered import PlanRenders, month_labels
from tender.plan_output.tables import plan_tables
from tender.plan_output.verify import CHECK_FAILED, verified, verified_renders

__all__ = [
    "CHECK_FAILED",
    "LEDGER_COLUMNS",
    "PlanRenders",
    "ledger_csv",
    "month_labels",
    "plan_tables",
    "plan_to_dict",
    "plan_to_json",
    "verified",
    "verified_renders",
]
