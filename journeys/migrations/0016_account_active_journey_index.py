from django.db import migrations, models

from config.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY runs outside a transaction: accounts go on being
    # written while the index builds.
    atomic = False

    dependencies = [
        ("journeys", "0015_account_fillfactor"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="customeraccount",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["id"],
                include=("journey",),
                name="journeys_account_active_jrn",
            ),
        ),
    ]
