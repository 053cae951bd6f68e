"""Names for pairings and invites, and the reply a user is writing to their partner.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("pending_reply_to", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("pending_reply_message", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pending_reply_kind", sa.String(16), nullable=True))
    with op.batch_alter_table("pairings") as batch:
        batch.add_column(
            sa.Column("inviter_name", sa.String(64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("partner_name", sa.String(64), nullable=False, server_default="")
        )
    with op.batch_alter_table("invites") as batch:
        batch.add_column(
            sa.Column("inviter_name", sa.String(64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.drop_column("inviter_name")
    with op.batch_alter_table("pairings") as batch:
        batch.drop_column("partner_name")
        batch.drop_column("inviter_name")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("pending_reply_kind")
        batch.drop_column("pending_reply_message")
        batch.drop_column("pending_reply_to")
