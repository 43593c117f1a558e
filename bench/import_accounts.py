"""Benchmark: the accounts and ARR CSV imports on a generated database (issue 12's
imports).

    .venv/bin/python bench/import_accounts.py --database-url … [--count 100000]
        [--history 12]

On a database the generator filled (bench/generate.py, any size), imports a file of
`--count` new accounts (three in four dedicated to a member, one in four pooled,
each with an ARR, over the generated journeys), then the same file again (every
row matched and skipped), each as one `journeys.imports.import_accounts` call;
then the ARR of the month before for those accounts (`import_arr_snapshots`: a
month before their current one, so every account's current month is classified
again), and that file again. With `--history N`, each account first gets N earlier
months (an ARR import each, printed as it builds the history), and the current
month corrected (another ARR for every account) is measured too, and that file
again. It prints CPU time (this process and the database backend, with its
parallel workers) and wall time of each. The accounts it created are removed
afterwards, with their coverage, ARR snapshots and their history, so the database
serves the other benchmarks as before.
The issue names no target for them; gunicorn's request timeout (30 s) is the one
that matters to an admin uploading a file. A benchmark, not a test.
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
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="earlier months of ARR each account holds before the timed ARR imports",
    )
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
    current = revenue.current_month()
    month_before = revenue.add_months(current, -1)
    arr_data = arr_csv(args.count, f"{month_before:%Y-%m}")
    history = [
        (
            "ARR months",
            f"building the history, {month:%Y-%m}",
            import_arr_snapshots,
            arr_csv(args.count, f"{month:%Y-%m}", seed=100 + back),
        )
        for back in range(args.history + 1, 1, -1)
        for month in [revenue.add_months(current, -back)]
    ]
    held = f"{args.history + 1} months held" if args.history else "one month held"
    runs = [
        ("accounts", "new accounts", import_accounts, data),
        ("accounts", "the same file again", import_accounts, data),
        *history,
        ("ARR months", f"the month before, {held}", import_arr_snapshots, arr_data),
        ("ARR months", "the same file again", import_arr_snapshots, arr_data),
    ]
    if args.history:
        corrected = arr_csv(args.count, f"{current:%Y-%m}", seed=7)
        runs += [
            (
                "ARR months",
                "the current month corrected",
                import_arr_snapshots,
                corrected,
            ),
            ("ARR months", "the same file again", import_arr_snapshots, corrected),
        ]
    remove_imported()
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
