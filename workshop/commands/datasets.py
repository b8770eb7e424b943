"""List, fetch or locate the datasets (none of them imports TensorFlow)."""

import textwrap

from workshop.data import DATASETS, check_name, status
from workshop.data.catalog import display_path, file_path
from workshop.data.files import package_label, remedy
from workshop.paths import data_dir


def add_arguments(p):
    p.add_argument("action", nargs="?", default="list", choices=("list", "fetch", "path"),
                   help="list (default): the table; fetch NAME: download and verify (or generate); "
                        "path NAME: where its files go")
    p.add_argument("name", nargs="?", help="dataset name (for fetch and path)")
    p.add_argument("--data-dir", help="dataset cache (default: datasets/, or $WORKSHOP_DATA_DIR)")


def _table(directory) -> str:
    """One row per dataset; `offline now` is `status`, the very check `train` makes."""
    rows = [f"{'name':14} {'example':9} {'classes':>7} {'train':>6} {'val':>5} {'test':>6}  offline now"]
    for info in DATASETS.values():
        shape = "x".join(str(d) for d in info.shape)
        st = status(info.name, directory)
        where = "" if not info.files else "  " + ", ".join(display_path(directory, f) for f in info.files[:1]) + (
            " ..." if len(info.files) > 1 else "")
        bad = st not in ("embedded", "generated", "cached") and not st.startswith("missing")
        embedded = f"yes (inside {info.package.package})" if info.package else "yes (embedded)"
        offline = ({"embedded": embedded, "generated": "yes (generated)", "cached": "yes" + where}.get(st) or
                   (f"no: {st}" if bad else f"no ({st}){where}"))
        rows.append(f"{info.name:14} {shape:9} {info.classes or '-':>7} {info.train:>6} {info.val:>5} {info.test:>6}  "
                    f"{offline}")
        if bad:
            rows.append(f"{'':14} {remedy(info.name)}")
        rows += textwrap.wrap(info.description, 100, initial_indent=" " * 15, subsequent_indent=" " * 15)
    return "\n".join(rows)


def run(args) -> int:
    directory = data_dir(args.data_dir)
    if args.action == "list":
        print(_table(directory))
        return 0
    if not args.name:
        from workshop.errors import UsageError
        raise UsageError(f"`datasets {args.action}` needs a dataset name: one of {', '.join(DATASETS)}")
    check_name(args.name)
    info = DATASETS[args.name]
    if args.action == "path":
        if info.package:
            print(package_label(info.package))
        for f in info.files:
            print(file_path(directory, f))
        if info.cache:
            print(directory / info.cache)
        elif not info.files and not info.package:
            print(f"{args.name} is {'embedded in scikit-learn' if args.name == 'digits' else 'generated'}: no file needed")
        return 0
    from workshop.data import load
    splits = load(args.name, directory)
    n_train, n_val, n_test = splits.sizes()
    print(f"{args.name}: ready offline ({n_train} train / {n_val} val / {n_test} test, version {splits.version})")
    return 0
