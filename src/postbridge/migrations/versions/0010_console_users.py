"""console users: people who sign in to the web console, their sessions, failed sign-ins

Revision ID: 0010_console_users
Revises: 0009
Create Date: 2026-12-02 05:00:00

``console_users`` (a merchant's user, or an operator with no merchant; Argon2id hashes),
``console_sessions`` (the SHA-256 of each session token, never the token; the session's CSRF
token; expiry and revocation) and ``console_login_failures`` (the sign-in rate limit's
failures, under hashed subjects, deleted once out of the window).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from postbridge.storage.base import UTCDateTime

revision: str = "0010_console_users"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("merchant_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(role = 'merchant' AND merchant_id IS NOT NULL)"
            " OR (role = 'operator' AND merchant_id IS NULL)",
            name=op.f("ck_console_users_role_merchant"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_console_users_merchant_id_merchants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("email", name=op.f("uq_console_users_email")),
    )
    op.create_index(op.f("ix_console_users_merchant_id"), "console_users", ["merchant_id"])
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["console_users.id"],
            name=op.f("fk_console_sessions_user_id_console_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sessions_token_hash")),
    )
    op.create_index(op.f("ix_console_sessions_user_id"), "console_sessions", ["user_id"])
    op.create_table(
        "console_login_failures",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_login_failures")),
    )
    op.create_index(
        "ix_console_login_failures_subject_failed",
        "console_login_failures",
        ["subject", "failed_at"],
    )
    op.create_index(
        "ix_console_login_failures_failed_at", "console_login_failures", ["failed_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_console_login_failures_failed_at", table_name="console_login_failures")
    op.drop_index("ix_console_login_failures_subject_failed", table_name="console_login_failures")
    op.drop_table("console_login_failures")
    op.drop_index(op.f("ix_console_sessions_user_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_index(op.f("ix_console_users_merchant_id"), table_name="console_users")
    op.drop_table("console_users")
