"""A writer for the kill tests: saves visits in a loop and acknowledges each one after commit."""

from __future__ import annotations

import datetime as dt
import sys

from massage_chart.storage.database import open_database
from massage_chart.storage.models import Mark
from massage_chart.storage.repositories import add_client, create_visit

MARKS_PER_SAVE = 3


def main(path: str, start: int) -> None:
    database = open_database(path)
    number = start
    while True:
        with database.write() as session:
            client = add_client(session, first_name=f"Save {number}", last_name="Kill-test")
            visit = create_visit(
                session, client.id, provider_id=None, start=dt.datetime(2026, 11, 23, 10, 0)
            )
            for index in range(MARKS_PER_SAVE):
                visit.marks.append(
                    Mark(kind="pain", view="anterior", points=[[0.1 * index, 0.5]], intensity=5)
                )
        # Acknowledge only after the commit returned: this is what the user was told was saved.
        sys.stdout.write(f"{number}\n")
        sys.stdout.flush()
        number += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
