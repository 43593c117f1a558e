"""Benchmark: the accounts and ARR CSV imports on a generated database (issue 12's
imports).

    .venv/bin/python bench/import_accounts.py --database-url … [--count 100000]

On a database the generator filled (bench/generate.py, any size), imports a file of
`--count` new accounts (three in four dedicated to a member, one in four pooled,
each with an ARR, over the generated journeys), then the same file again (every
row matched and skipped), each as one `journeys.imports.import_accounts` call;
then the ARR of the month before for those accounts (`import_arr_snapshots`: a
month before their only one, so every account's current month is classified
again), and that file again. It prints CPU time (this process and the database
backend) and wall time of each. The accounts it created are removed afterwards,
with their coverage, ARR snapshots and their history, so the database serves the
other benchmarks as before. The issue names no target for them; gunicorn's request
timeout (30 s) is the one that matters to an admin uploading a file. A benchmark,
not a test.
"""

import argparse
import csv
import io
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "bench-import-"


def accounts_csv(count: int, seed: int = 5) -> bytes:
    from accounts.models import Role, User
    from journeys.models import Journey, Pool

    members = list(
        User.objects.filter(groups__name=Role.MEMBER.value, is_active=True)
        .order_by("pk")
        .values_list("username", flat=True)
    )
    pools = list(Pool.objects.order_by("pk").values_list("name", flat=True))
    journeys = list(Journey.objects.order_by("pk").values_list("name", flat=True))
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "external_id",
            "name",
            "segment",
            "arr",
            "journey",
            "coverage",
            "owner",
            "pool",
        ]
    )
    for n in range(count):
        pooled = pools and rng.random() < 0.25
        writer.writerow(
            [
                f"{PREFIX}{n}",
                f"Customer {n} 株式会社",
                rng.choice(["SMB", "Mid-market", "Enterprise"]),
                f"{rng.randrange(0, 90_000_000, 1000):,}",
                rng.choice(journeys),
                "pooled" if pooled else "dedicated",
                "" if pooled else rng.choice(members),
                rng.choice(pools) if pooled else "",
            ]
        )
    return out.getvalue().encode()


def arr_csv(count: int, month: str, seed: int = 6) -> bytes:
    rng = random.Random(seed)
    lines = ["external_id,month,arr,movement"] + [
        f"{PREFIX}{n},{month},{rng.randrange(0, 90_000_000, 1000)},"
        for n in range(count)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def remove_imported() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        new = "SELECT id FROM journeys_customeraccount WHERE external_id LIKE %s"
        for table in (
            "journeys_historicalarrsnapshot",
            "journeys_arrsnapshot",
            "journeys_coverage",
        ):
            cursor.execute(
                f"DELETE FROM {table} WHERE account_id IN ({new})", [f"{PREFIX}%"]
            )
        cursor.execute(
            "DELETE FROM journeys_customeraccount WHERE external_id LIKE %s",
            [f"{PREFIX}%"],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url or DATABASE_URL is needed.")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from accounts.models import Role, User
    from bench import measure
    from journeys import revenue
    from journeys.imports import import_accounts, import_arr_snapshots

    admin = (
        User.objects.filter(groups__name=Role.ADMIN.value, is_active=True)
        .order_by("pk")
        .first()
    )
    data = accounts_csv(args.count)
    month_before = revenue.add_months(revenue.current_month(), -1)
    arr_data = arr_csv(args.count, f"{month_before:%Y-%m}")
    remove_imported()
    runs = [
        ("accounts", "new accounts", import_accounts, data),
        ("accounts", "the same file again", import_accounts, data),
        ("ARR months", "the month before", import_arr_snapshots, arr_data),
        ("ARR months", "the same file again", import_arr_snapshots, arr_data),
    ]
    try:
        for what, label, function, file in runs:
            extra = {"confirm_not_ready": True} if function is import_accounts else {}
            timing, report = measure.timed(function, file=file, by=admin, **extra)
            print(
                f"import of {args.count:,} {what} ({label}): {timing.describe()}; "
                f"created {report.created:,}, updated {report.updated:,}, "
                f"skipped {report.skipped:,}, problems {len(report.problems)}"
            )
    finally:
        remove_imported()


if __name__ == "__main__":
    main()
