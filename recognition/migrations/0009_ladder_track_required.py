import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0008_ladder_default_track"),
    ]

    operations = [
        migrations.AlterField(
            model_name="promotionstep",
            name="track",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="steps",
                to="recognition.careertrack",
                verbose_name="track",
            ),
        ),
    ]
