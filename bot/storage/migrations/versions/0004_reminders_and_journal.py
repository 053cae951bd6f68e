"""Quiet hours, awaited input, and journal entry kinds.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("quiet_start", sa.String(5), nullable=True))
        batch.add_column(sa.Column("quiet_end", sa.String(5), nullable=True))
        batch.add_column(sa.Column("awaiting", sa.String(32), nullable=True))
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="checkin"))
        batch.create_index("ix_checkins_created_at", ["created_at"])


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_index("ix_checkins_created_at")
        batch.drop_column("kind")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("awaiting")
        batch.drop_column("quiet_end")
        batch.drop_column("quiet_start")
