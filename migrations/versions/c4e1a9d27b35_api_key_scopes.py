"""api key scopes: what each secret key may do; the keys made before are "all"

Revision ID: c4e1a9d27b35
Revises: 0c5e8a4b7d21
Create Date: 2026-12-06 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a9d27b35'
down_revision = '0c5e8a4b7d21'
branch_labels = None
depends_on = None


def upgrade():
    # Every key that exists keeps doing what it did: the server default gives it "all".
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=64), server_default='all', nullable=False))


def downgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('scopes')
