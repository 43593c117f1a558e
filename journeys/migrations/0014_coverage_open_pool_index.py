from django.db import migrations, models

from config.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY runs outside a transaction: accounts go on being
    # assigned while the index builds.
    atomic = False

    dependencies = [
        ("journeys", "0013_account_list_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="coverage",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", True)),
                fields=["pool", "account"],
                name="journeys_coverage_open_pool",
            ),
        ),
    ]
