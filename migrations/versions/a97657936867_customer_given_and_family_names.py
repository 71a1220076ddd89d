"""customer given and family names: beside the full name, as the shop sends them (or "")

Revision ID: a97657936867
Revises: 8a27b1bb6720
Create Date: 2026-12-05 07:49:15.559045

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a97657936867'
down_revision = '8a27b1bb6720'
branch_labels = None
depends_on = None


def upgrade():
    # Customers stored before this revision keep their full name; their parts are "".
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_name', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('family_name', sa.String(length=100), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('family_name')
        batch_op.drop_column('given_name')
