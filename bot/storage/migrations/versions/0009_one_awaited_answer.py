"""One typed conversation state per person: `awaiting` says what the next text answers, for
replies to the partner too (no separate kind column); "outcome:12"-style values are split.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

USERS = sa.table(
    "users",
    sa.column("id", sa.BigInteger()),
    sa.column("awaiting", sa.String()),
    sa.column("pending_reply_to", sa.BigInteger()),
    sa.column("pending_reply_message", sa.Integer()),
    sa.column("pending_reply_kind", sa.String()),
)


def _new_state(row: sa.Row) -> dict[str, object]:
    """The old state (a reply being written won over anything else) in the new form."""
    if row.pending_reply_to is not None:
        what = "talk_time" if row.pending_reply_kind == "custom" else "reply"
        return {"awaiting": what}
    awaiting = row.awaiting or ""
    for prefix, what in (("outcome:", "outcome"), ("send_time:", "send_time")):
        if awaiting.startswith(prefix):
            number = awaiting.removeprefix(prefix)
            return {
                "awaiting": what,
                "pending_reply_message": int(number) if number.isdigit() else None,
            }
    return {}


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(USERS).where(
            sa.or_(USERS.c.awaiting.is_not(None), USERS.c.pending_reply_to.is_not(None))
        )
    ).all()
    for row in rows:
        values = _new_state(row)
        if values:
            connection.execute(sa.update(USERS).where(USERS.c.id == row.id).values(**values))
    with op.batch_alter_table("users") as batch:
        batch.drop_column("pending_reply_kind")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("pending_reply_kind", sa.String(length=16), nullable=True))
