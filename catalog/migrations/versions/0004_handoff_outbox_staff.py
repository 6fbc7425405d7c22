"""handoff, outbox and staff console

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 21:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add staff accounts, handoff columns and history, notes, canned replies and the outbox."""
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("telegram_user_id", sa.String(32), nullable=True, unique=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "staff_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, index=True),
        sa.Column("client", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", _TS, nullable=False, index=True),
    )
    with op.batch_alter_table("conversation") as batch:
        batch.add_column(sa.Column("handoff_reason", sa.String(60), nullable=True))
        batch.add_column(sa.Column("waiting_since", _TS, nullable=True))
        batch.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_inbound_at", _TS, nullable=True))
        batch.create_foreign_key("fk_conversation_assigned_to_staff", "staff",
                                 ["assigned_to"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("conversation_message") as batch:
        batch.add_column(sa.Column("author", sa.String(10), nullable=False,
                                   server_default="user"))
        batch.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_conversation_message_staff", "staff",
                                 ["staff_id"], ["id"], ondelete="SET NULL")
    op.execute("UPDATE conversation_message SET author = 'assistant' WHERE direction = 'out'")
    op.create_table(
        "conversation_state_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(64),
                  sa.ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("from_state", sa.String(10), nullable=False),
        sa.Column("to_state", sa.String(10), nullable=False),
        sa.Column("actor", sa.String(20), nullable=False),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("reason", sa.String(60), nullable=False),
        sa.Column("created_at", _TS, nullable=False, index=True),
    )
    op.create_table(
        "conversation_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(64),
                  sa.ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "canned_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False, index=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.UniqueConstraint("key", "lang"),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(64),
                  sa.ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("transcript_id", sa.Integer(),
                  sa.ForeignKey("conversation_message.id", ondelete="SET NULL"), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(2), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _TS, nullable=False),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("sent_at", _TS, nullable=True),
    )
    op.create_index("ix_outbox_due", "outbox_message", ["status", "next_attempt_at"])
    op.create_table(
        "processed_update",
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("external_id", sa.String(128), primary_key=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TS, nullable=False, index=True),
    )
    op.create_table(
        "staff_topic",
        sa.Column("conversation_id", sa.String(64),
                  sa.ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("chat_id", sa.String(32), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.UniqueConstraint("chat_id", "thread_id"),
    )


def downgrade() -> None:
    """Remove what upgrade() added."""
    for table in ("staff_topic", "processed_update", "outbox_message", "canned_reply",
                  "conversation_note", "conversation_state_change"):
        op.drop_table(table)
    with op.batch_alter_table("conversation_message") as batch:
        batch.drop_constraint("fk_conversation_message_staff", type_="foreignkey")
        batch.drop_column("staff_id")
        batch.drop_column("author")
    with op.batch_alter_table("conversation") as batch:
        batch.drop_constraint("fk_conversation_assigned_to_staff", type_="foreignkey")
        for column in ("last_inbound_at", "assigned_to", "waiting_since", "handoff_reason"):
            batch.drop_column(column)
    for table in ("login_attempt", "staff_session", "staff"):
        op.drop_table(table)
