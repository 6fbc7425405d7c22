"""kept messages: a user message the engine could not answer waits to be answered

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Flag the user messages kept while the dialogue engine was unavailable."""
    with op.batch_alter_table("conversation_message") as batch:
        batch.add_column(sa.Column("pending", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_index("ix_conversation_message_pending", "conversation_message", ["pending"])


def downgrade() -> None:
    """Drop the flag."""
    op.drop_index("ix_conversation_message_pending", table_name="conversation_message")
    with op.batch_alter_table("conversation_message") as batch:
        batch.drop_column("pending")
