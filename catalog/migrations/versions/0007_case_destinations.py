"""case destinations: the countries an organisation wants to go to, apart from its home

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 05:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Give each case a list of destination countries (ISO codes), empty for existing ones."""
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("destinations", sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))


def downgrade() -> None:
    """Drop the destinations."""
    with op.batch_alter_table("case") as batch:
        batch.drop_column("destinations")
