"""admin user language: the admin's language an account chose (a tag), NULL follows the browser

Revision ID: e2b8d4c6a1f3
Revises: c4e7a1f9d2b6
Create Date: 2026-12-05 09:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2b8d4c6a1f3'
down_revision = 'c4e7a1f9d2b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
