"""``python3 -m toolbridge --module <spec> ...`` runs a worker (see python/PROTOCOL.md)."""

if __name__ == "__main__":
    from ._worker import main

    raise SystemExit(main())
