"""Drafts remember which findings of the gentle check the user chose to keep.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("kept_checks", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("kept_checks")
