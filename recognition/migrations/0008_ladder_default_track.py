from django.db import migrations


def default_track(apps, schema_editor):
    """The ladder written so far becomes the default track's: every existing step
    up (with its criteria and modules) moves there, so nothing is lost."""
    CareerTrack = apps.get_model("recognition", "CareerTrack")
    PromotionStep = apps.get_model("recognition", "PromotionStep")
    track, _created = CareerTrack.objects.get_or_create(
        is_default=True, defaults={"name": "標準"}
    )
    PromotionStep.objects.filter(track__isnull=True).update(track=track)


class Migration(migrations.Migration):
    """Its own migration: on PostgreSQL, rows updated in a transaction block a
    later ALTER TABLE of the same table (0009 makes the track required)."""

    dependencies = [
        ("recognition", "0007_ladder_tracks"),
    ]

    operations = [
        migrations.RunPython(default_track, migrations.RunPython.noop),
    ]
