"""survey answers: one score (0-10) and comment per review request, for the shop's NPS

Revision ID: b5e2c8a91d47
Revises: c4d8e1f2a6b3
Create Date: 2026-12-05 11:00:00

"""
from alembic import op
import sqlalchemy as sa

import reviews_service.models_base


# revision identifiers, used by Alembic.
revision = 'b5e2c8a91d47'
down_revision = 'c4d8e1f2a6b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('answered_at', reviews_service.models_base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 0 AND 10', name=op.f('ck_survey_answers_score')),
    sa.ForeignKeyConstraint(['request_id'], ['review_requests.id'], name=op.f('fk_survey_answers_request_id_review_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_survey_answers_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('request_id', name=op.f('uq_survey_answers_request_id'))
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answers_email'), ['email'], unique=False)
        batch_op.create_index('ix_survey_answers_shop_answered', ['shop_id', 'answered_at'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answers_shop_answered')
        batch_op.drop_index(batch_op.f('ix_survey_answers_email'))
    op.drop_table('survey_answers')
