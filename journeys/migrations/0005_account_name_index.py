from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0004_step_event_reached_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customeraccount",
            index=models.Index(fields=["name", "id"], name="journeys_account_name_id"),
        ),
    ]
