from django.db import migrations

from config.migration_operations import FillFactor


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0014_coverage_open_pool_index"),
    ]

    operations = [
        # Every rollup writes the changed accounts' latest health on them (the
        # day's first run, every account's); no index reads it. (An event's
        # progress changes indexed columns: those updates gain nothing.)
        FillFactor(model_name="customeraccount", fillfactor=85),
    ]
