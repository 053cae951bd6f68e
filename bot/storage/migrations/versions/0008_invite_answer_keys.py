"""Invite buttons carry their own key (only its hash is kept), bound to whom they were shown.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.add_column(sa.Column("offered_to", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("answer_key_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_invites_answer_key_hash", ["answer_key_hash"])


def downgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.drop_constraint("uq_invites_answer_key_hash", type_="unique")
        batch.drop_column("answer_key_hash")
        batch.drop_column("offered_to")
