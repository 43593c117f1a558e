from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0002_rollup_schedule"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "changed_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="changed at"),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("account", "Account rows"),
                            ("team", "Team membership"),
                            ("role", "Member role"),
                            ("training", "Training"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "account_id",
                    models.BigIntegerField(
                        blank=True, null=True, verbose_name="account"
                    ),
                ),
                (
                    "user_id",
                    models.BigIntegerField(blank=True, null=True, verbose_name="user"),
                ),
                (
                    "since",
                    models.DateTimeField(
                        blank=True,
                        help_text=(
                            "The earliest moment whose figures it changes; empty: any."
                        ),
                        null=True,
                        verbose_name="affects from",
                    ),
                ),
            ],
            options={
                "verbose_name": "rollup change",
                "verbose_name_plural": "rollup changes",
                "ordering": ["changed_at", "id"],
                "indexes": [
                    models.Index(
                        fields=["changed_at"], name="recognition_change_at_idx"
                    )
                ],
            },
        ),
    ]
