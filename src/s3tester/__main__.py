"""`python -m s3tester` and the `s3tester` console script."""

from __future__ import annotations

from s3tester.cli import main

if __name__ == "__main__":
    main()
