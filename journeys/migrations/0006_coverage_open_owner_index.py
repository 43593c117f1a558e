from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0005_account_name_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="coverage",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", True)),
                fields=["owner", "account"],
                name="journeys_coverage_open_owner",
            ),
        ),
    ]
