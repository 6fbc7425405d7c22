"""registrations: seat counter, waiting list, cancellations, calendar tokens, reminders

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 22:00:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Count seats on the event row; give registrations a status, an arrival and a token."""
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("seats_taken", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("arrivals", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("cancelled_at", _TS, nullable=True))
    with op.batch_alter_table("event_registration") as batch:
        batch.add_column(sa.Column("status", sa.String(12), nullable=False,
                                   server_default="confirmed"))
        batch.add_column(sa.Column("arrival", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("confirmed_at", _TS, nullable=True))
        batch.add_column(sa.Column("cancelled_at", _TS, nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.String(10), nullable=True))
        batch.add_column(sa.Column("calendar_token", sa.String(43), nullable=True))
        batch.add_column(sa.Column("reminded_before", sa.Integer(), nullable=True))
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("document", sa.JSON(), nullable=True))

    # Registrations made before this revision all hold a seat, in the order they came.
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, event_id, created_at FROM event_registration ORDER BY event_id, id")).all()
    arrival: dict[int, int] = {}
    for row_id, event_id, created_at in rows:
        arrival[event_id] = arrival.get(event_id, 0) + 1
        connection.execute(sa.text(
            "UPDATE event_registration SET calendar_token = :token, arrival = :arrival, "
            "confirmed_at = :created WHERE id = :id"),
            {"token": secrets.token_urlsafe(24), "arrival": arrival[event_id],
             "created": created_at, "id": row_id})
    for event_id, count in arrival.items():
        connection.execute(sa.text(
            "UPDATE event SET seats_taken = :count, arrivals = :count WHERE id = :id"),
            {"count": count, "id": event_id})

    with op.batch_alter_table("event_registration") as batch:
        batch.alter_column("calendar_token", existing_type=sa.String(43), nullable=False)
        batch.create_index("ix_event_registration_calendar_token", ["calendar_token"],
                           unique=True)
        batch.create_index("ix_event_registration_queue", ["event_id", "status", "arrival"])


def downgrade() -> None:
    """Drop the registration columns (waiting-list and cancelled rows lose their meaning)."""
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("document")
    with op.batch_alter_table("event_registration") as batch:
        batch.drop_index("ix_event_registration_queue")
        batch.drop_index("ix_event_registration_calendar_token")
        for column in ("reminded_before", "calendar_token", "cancelled_by", "cancelled_at",
                       "confirmed_at", "arrival", "status"):
            batch.drop_column(column)
    with op.batch_alter_table("event") as batch:
        for column in ("cancelled_at", "arrivals", "seats_taken"):
            batch.drop_column(column)
