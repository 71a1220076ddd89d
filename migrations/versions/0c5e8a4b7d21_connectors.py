"""connectors: a shop's connections to Shopify or WooCommerce, and the deliveries received

Revision ID: 0c5e8a4b7d21
Revises: f3a9c2d17b40
Create Date: 2026-12-05 09:55:00
"""
import sqlalchemy as sa
from alembic import op

from reviews_service.models_base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0c5e8a4b7d21'
down_revision = 'f3a9c2d17b40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'connections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('shop_id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('domain', sa.String(length=255), nullable=False),
        sa.Column('secret_encrypted', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("platform IN ('shopify', 'woocommerce')", name=op.f('ck_connections_platform')),
        sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_connections_shop_id_shops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_connections')),
        sa.UniqueConstraint('shop_id', 'platform', name=op.f('uq_connections_shop_id_platform')),
    )
    op.create_table(
        'connector_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('connection_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=100), nullable=False),
        sa.Column('dedupe_key', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('detail', sa.String(length=500), nullable=False),
        sa.Column('order_external_id', sa.String(length=255), nullable=True),
        sa.Column('payload', sa.JSON(), nullable=True),
        sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('applied', 'ignored', 'waiting', 'refused')",
                           name=op.f('ck_connector_deliveries_status')),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'],
                                name=op.f('fk_connector_deliveries_connection_id_connections'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_connector_deliveries')),
        sa.UniqueConstraint('connection_id', 'topic', 'dedupe_key',
                            name=op.f('uq_connector_deliveries_connection_id_topic_dedupe_key')),
    )
    with op.batch_alter_table('connector_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_connector_deliveries_waiting',
                              ['connection_id', 'order_external_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_connector_deliveries_received_at'), ['received_at'], unique=False)


def downgrade():
    op.drop_table('connector_deliveries')
    op.drop_table('connections')
