"""A dispute found on an index by any fragment of three characters or more of its number,
the bank's reference or its summary (pg_trgm, on PostgreSQL; issue 19 §1); and by the
bank's whole reference alone, not only with its institution. SQLite searches without the
trigram indexes. On pg_trgm see parties 0004."""

from django.db import migrations, models

from jintiao.search import postgres_indexes

INDEXES = {
    "dispute_number_trgm": "disputes_dispute USING gin (number gin_trgm_ops)",
    "dispute_external_ref_trgm": "disputes_dispute USING gin (external_ref gin_trgm_ops)",
    "dispute_summary_trgm": "disputes_dispute USING gin (summary gin_trgm_ops)",
}


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0010_committee_state_index"),
        ("parties", "0004_name_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(fields=["external_ref"], name="dispute_external_ref"),
        ),
        postgres_indexes(INDEXES),
    ]
