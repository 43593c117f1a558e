from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0011_derived_rows_unconstrained"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="memberfigure",
            index=models.Index(
                fields=["month", "member", "metric", "id"],
                name="recog_member_figure_month",
            ),
        ),
        migrations.AddIndex(
            model_name="teamfigure",
            index=models.Index(
                fields=["month", "team", "metric", "id"], name="recog_team_figure_month"
            ),
        ),
    ]
