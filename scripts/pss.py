#!/usr/bin/env python3
"""Prints the PSS (from /proc/<pid>/smaps_rollup) of a process and all its descendants, grouped by
what each one is: the WhatsFlow app, its WebKit processes, Chromium's browser and its children.
Usage: pss.py ROOT_PID LABEL. Last line: `LABEL total N MiB` (for scripts to pick up)."""
import os
import sys


def read(path, mode="r"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        return b"" if "b" in mode else ""


def parents():
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = read(f"/proc/{name}/stat")
            # The command name may hold spaces and parentheses: fields start after the last ')'.
            fields = stat.rpartition(")")[2].split()
            if len(fields) > 1:
                table[int(name)] = int(fields[1])
    return table


def descendants(root):
    table = parents()
    found = []
    for pid in table:
        up = pid
        while up not in (0, root) and up in table and table[up] != up:
            up = table[up]
        if up == root or pid == root:
            found.append(pid)
    return sorted(found)


def kind(pid):
    comm = read(f"/proc/{pid}/comm").strip()
    args = read(f"/proc/{pid}/cmdline", "rb").replace(b"\0", b" ").decode(errors="replace").split()
    if comm.startswith("WebKit"):
        return "webkit", comm
    if any("chrom" in a for a in args[:1]) or comm.startswith("chrom") or "--type=" in " ".join(args):
        sub = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), "browser")
        util = next((a.split("=", 1)[1] for a in args if a.startswith("--utility-sub-type=")), None)
        return "chromium", f"{sub}:{util.rsplit('.', 1)[-1]}" if util else sub
    return "app", comm


def pss_kib(pid):
    for line in read(f"/proc/{pid}/smaps_rollup").splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def main():
    root, label = int(sys.argv[1]), sys.argv[2]
    groups = {}
    rows = []
    for pid in descendants(root):
        group, what = kind(pid)
        kib = pss_kib(pid)
        if kib == 0:
            continue  # a zombie or a process gone meanwhile
        rows.append((group, pid, what, kib))
        groups[group] = groups.get(group, 0) + kib
    print(f"{label}: {len(rows)} processes")
    for group, pid, what, kib in sorted(rows):
        print(f"    {group:<9} {pid:>7} {what:<34} {kib / 1024:7.1f} MiB")
    print("    " + ", ".join(f"{g} {k / 1024:.0f} MiB" for g, k in sorted(groups.items())))
    print(f"{label} total {sum(groups.values()) / 1024:.0f} MiB")


main()
