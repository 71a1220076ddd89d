"""outbox tasks: a third kind of outbox row, `task`, whose topic names a handler a room registered
with the worker (the publishing room's files, written after a change)

Revision ID: c2e4a6b8d0f1
Revises: a1c3e5f7b9d2
Create Date: 2026-12-05 15:00:00

Nothing of kind `task` existed before this revision; the downgrade deletes those rows, which fit
no kind of the old check.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c2e4a6b8d0f1'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('email', 'webhook')"
NEW_KINDS = "kind IN ('email', 'webhook', 'task')"


def _kinds(check: str) -> None:
    # SQLite cannot alter a check constraint: batch mode copies the table (nothing points at it).
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_kind'), check)


def upgrade():
    _kinds(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM outbox WHERE kind = 'task'")
    _kinds(OLD_KINDS)
