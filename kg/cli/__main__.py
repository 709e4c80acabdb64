"""``python -m kg.cli``: the same as the ``peacekg`` console script."""

from kg.cli.group import main

if __name__ == "__main__":
    main()
