"""Updates are recognised by their id and content, not their id alone (Telegram renumbers
updates after a week of silence).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("recent_updates", sa.Text(), nullable=True))
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(sa.Column("update_key", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_column("update_key")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("recent_updates")
