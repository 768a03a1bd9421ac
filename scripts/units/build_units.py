#!/usr/bin/env python3
"""Builds assets/units/units-2025.json: Vietnam's administrative units after the 1 July 2025
reform (34 provinces, 3,321 communes/wards/special zones, no district level) and the mapping from
the 10,047 pre-reform communes/wards/townships (and the 5 island districts that had no commune)
to the new units.

Source (MIT licence): https://github.com/dvhcvn/20250701
  - mapping/merges.json : new unit -> old units, with "full"/"partial" per pair
  - mapping/splits.json : old unit -> new unit(s)
  - output/<prov>/<district>/<commune>.json : one file per old commune; its path gives the old
    district code and its "address" gives the old district name
  New codes there come from Cục Thống kê letter 1027/CTK-CSCL (25 June 2025) and 915/CTK-CSCL;
  old units from the GSO list as of 1 March 2025; the mapping from the 34 UBTVQH resolutions
  1654..1687/NQ-UBTVQH15 (see docs/units.md).

A few corrections (CORRECTIONS below) are applied on top; each is documented in docs/units.md.

Usage (from the repository root):
  python3 scripts/units/build_units.py [--src PATH_TO_dvhcvn_20250701_GIT] [--out FILE]
      [--with-2026-dong-nai]
PATH may be a normal clone (work tree) or a bare/mirror git directory; files are read from HEAD
with `git show`, so the working tree does not need to be checked out.
"""

import argparse
import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SRC = "/work/.mirror/dvhcvn+20250701/repo"
SOURCE_URL = "https://github.com/dvhcvn/20250701"
LICENCE = "MIT (c) 2025 dvhcvn; data derived from official Vietnamese government documents"

# --- corrections applied on top of the source --------------------------------------------------
# New-unit code fixes. 1027/CTK-CSCL (and so the source) lists Xã Ia Mơ (Gia Lai) as 23737, but
# the commune was not rearranged (1664/NQ-UBTVQH15 lists it among the units kept as they were) and
# keeps its old code 23938, which is also what the GSO code service (danhmuchanhchinh.nso.gov.vn,
# as mirrored by thanglequoc/vietnamese-provinces-database) returns. 23737 was the old code of
# Xã Ia Mơ Nông (Chư Păh), which is now part of another unit.
NEW_CODE_FIX = {"23737": "23938"}
# Old-unit spelling fixes: the source's spelling differs from the GSO list of 1 March 2025.
OLD_NAME_FIX = {
    "00916": "Thị trấn Nông trường Việt Lâm",
    "04117": "Xã Mường Chanh",
    "04136": "Xã Nà Bó",
    "07540": "Xã Sa Lý",
    "31246": "Xã Thạnh Quới",
}
# Optional later change (off by default): Nghị quyết 30/2026/QH16 and 237/NQ-UBTVQH16 (effective
# 30 April 2026 per thanglequoc/vietnamese-provinces-database v3.1.0) made Đồng Nai a centrally
# governed city and turned these 10 communes into wards; codes are unchanged.
DONG_NAI_2026_PROVINCE = ("75", "Thành phố Đồng Nai")
DONG_NAI_2026_WARDS = ["25270", "25357", "25363", "26116", "26170",
                       "26248", "26326", "26368", "26425", "26485"]

KIND_CASE = [("Thị Trấn ", "Thị trấn "), ("Thị Xã ", "Thị xã "), ("Thành Phố ", "Thành phố ")]


def clean(name):
    """NFC, single spaces, and the usual casing of the kind prefix."""
    s = unicodedata.normalize("NFC", name)
    s = re.sub(r"\s+", " ", s).strip()
    for bad, good in KIND_CASE:
        if s.startswith(bad):
            s = good + s[len(bad):]
    return s


def short_name(province):
    for prefix in ("Thành phố ", "Tỉnh "):
        if province.startswith(prefix):
            return province[len(prefix):]
    return province


class Repo:
    def __init__(self, path):
        self.path = path

    def git(self, *args, data=None):
        r = subprocess.run(["git", "-C", self.path, *args], input=data, capture_output=True,
                           check=True)
        return r.stdout

    def head(self):
        return self.git("rev-parse", "HEAD").decode().strip()

    def head_date(self):
        return self.git("log", "-1", "--format=%cs", "HEAD").decode().strip()

    def json(self, path):
        return json.loads(self.git("show", f"HEAD:{path}"))

    def many_json(self, paths):
        """Reads many blobs in one `git cat-file --batch` call."""
        out = self.git("cat-file", "--batch",
                       data="".join(f"HEAD:{p}\n" for p in paths).encode())
        res, i = {}, 0
        for p in paths:
            nl = out.index(b"\n", i)
            header = out[i:nl].split()
            if header[-1] == b"missing":
                raise SystemExit(f"missing in source: {p}")
            size = int(header[2])
            res[p] = json.loads(out[nl + 1:nl + 1 + size])
            i = nl + 1 + size + 1
        return res


def old_district_names(repo):
    """Old district name per (province code, district code), from the per-commune output files."""
    paths = [p for p in repo.git("ls-tree", "-r", "--name-only", "HEAD", "output")
             .decode().split("\n") if p.count("/") == 3 and p.endswith(".json")]
    files = repo.many_json(paths)
    votes = defaultdict(Counter)
    district_of = {}
    for p, doc in files.items():
        _, prov, dist, fname = p.split("/")
        parts = [x.strip() for x in doc["address"].split(",")]
        if len(parts) != 3:
            raise SystemExit(f"unexpected address in {p}: {doc['address']}")
        mid = parts[1]
        # a few addresses have commune and district swapped ("Huyện Kiên Hải, Xã Hòn Tre, ...")
        if mid.startswith(("Xã ", "Phường ", "Thị trấn ")) and \
                parts[0].startswith(("Huyện ", "Quận ", "Thị xã ", "Thành phố ")):
            mid = parts[0]
        votes[(prov, dist)][clean(mid)] += 1
        district_of[fname[:-5]] = (prov, dist)
    names = {}
    for key, c in votes.items():
        if len(c) > 1:
            print(f"warning: district {key} has several names {dict(c)}", file=sys.stderr)
        names[key] = c.most_common(1)[0][0]
    return {code: names[key] for code, key in district_of.items()}


def build(src, dong_nai_2026=False):
    repo = Repo(src)
    commit = repo.head()
    merges = repo.json("mapping/merges.json")["data"]
    splits = repo.json("mapping/splits.json")["data"]

    def fix_new(code):
        return NEW_CODE_FIX.get(code, code)

    provinces, units, pair_type = [], [], {}
    for p in merges:
        provinces.append({"code": p["level1_id"], "name": clean(p["name"]),
                          "short": short_name(clean(p["name"]))})
        for u in p["level2s"]:
            code = fix_new(u["level2_id"])
            units.append({"code": code, "name": clean(u["name"]), "province": p["level1_id"]})
            for m in u["merges"]:
                pair_type[(m["old_id"], code)] = m["type"]

    if dong_nai_2026:
        pcode, pname = DONG_NAI_2026_PROVINCE
        for p in provinces:
            if p["code"] == pcode:
                p["name"], p["short"] = pname, short_name(pname)
        for u in units:
            if u["code"] in DONG_NAI_2026_WARDS:
                assert u["name"].startswith("Xã "), u
                u["name"] = "Phường " + u["name"][3:]

    district_of = old_district_names(repo)
    old_units, multi_full = [], 0
    for p in splits:
        prov_name = clean(p["name"])
        entries = [(u["level3_id"], u["name"], district_of[u["level3_id"]], u["splits"])
                   for u in p.get("level3s", [])]
        # island districts that had no commune level became special zones (đặc khu)
        entries += [(d["level2_id"], d["name"], clean(d["name"]), d["splits"])
                    for d in p.get("level2s", [])]
        for code, name, district, targets in entries:
            new = [fix_new(t["new_id"]) for t in targets]
            # the source does not rank split targets; put a target that took the whole old unit
            # ("full" in merges.json) first, otherwise keep the source order.
            full = [c for c in new if pair_type.get((code, c)) == "full"]
            if len(full) > 1:
                multi_full += 1
            new = full + [c for c in new if c not in full]
            old_units.append({"code": code, "name": OLD_NAME_FIX.get(code, clean(name)),
                              "district": district, "province": prov_name, "new": new})

    provinces.sort(key=lambda x: x["code"])
    units.sort(key=lambda x: x["code"])
    old_units.sort(key=lambda x: (len(x["code"]), x["code"]))

    version = (f"dvhcvn/20250701@{commit[:12]} ({repo.head_date()}), whole country; "
               f"corrections: Ia Mơ 23737->23938, 5 old-unit spellings"
               + ("; + Đồng Nai 2026 (30/2026/QH16, 237/NQ-UBTVQH16)" if dong_nai_2026 else ""))
    data = {
        "version": version,
        "source": SOURCE_URL + f"/tree/{commit} (mapping/merges.json, mapping/splits.json, output/)",
        "licence": LICENCE,
        "effective": "2026-04-30" if dong_nai_2026 else "2025-07-01",
        "provinces": provinces,
        "units": units,
        "old_units": old_units,
    }
    validate(data, pair_type)
    return data, multi_full


def validate(d, pair_type):
    errs = []
    pcodes = {p["code"] for p in d["provinces"]}
    ucodes = [u["code"] for u in d["units"]]
    if len(pcodes) != 34:
        errs.append(f"{len(pcodes)} provinces, expected 34")
    if len(set(ucodes)) != len(ucodes):
        errs.append("duplicate unit codes: " + str([c for c, n in Counter(ucodes).items() if n > 1]))
    if len(ucodes) != 3321:
        errs.append(f"{len(ucodes)} units, expected 3321")
    for u in d["units"]:
        if u["province"] not in pcodes:
            errs.append(f"unit {u} has unknown province")
    hn = sum(1 for u in d["units"] if u["province"] == "01")
    if hn != 126:
        errs.append(f"Hà Nội has {hn} units, expected 126")
    uset = set(ucodes)
    used = set()
    ocodes = Counter(o["code"] for o in d["old_units"])
    if any(n > 1 for n in ocodes.values()):
        errs.append("duplicate old codes")
    for o in d["old_units"]:
        if not o["new"]:
            errs.append(f"old unit without new: {o}")
        for c in o["new"]:
            if c not in uset:
                errs.append(f"old unit {o['code']} maps to unknown {c}")
            used.add(c)
    if uset - used:
        errs.append(f"new units no old unit maps to: {sorted(uset - used)}")
    for s in [json.dumps(d, ensure_ascii=False)]:
        if s != unicodedata.normalize("NFC", s):
            errs.append("not NFC")
    if errs:
        raise SystemExit("validation failed:\n  " + "\n  ".join(errs[:50]))


def dump(data, path):
    """Compact JSON, one unit per line."""
    head = {k: data[k] for k in ("version", "source", "licence", "effective")}
    lines = [json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ","]
    for key in ("provinces", "units", "old_units"):
        rows = [json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in data[key]]
        lines.append(f'"{key}":[')
        lines.append(",\n".join(rows))
        lines.append("]" + ("," if key != "old_units" else ""))
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # must round-trip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=DEFAULT_SRC, help="dvhcvn/20250701 git directory or clone")
    ap.add_argument("--out", default=str(ROOT / "assets/units/units-2025.json"))
    ap.add_argument("--with-2026-dong-nai", action="store_true",
                    help="also apply the 2026 Đồng Nai city change (off by default)")
    a = ap.parse_args()
    data, multi_full = build(a.src, a.with_2026_dong_nai)
    out = Path(a.out)
    dump(data, out)
    nsplit = sum(1 for o in data["old_units"] if len(o["new"]) > 1)
    print(f"provinces {len(data['provinces'])}, units {len(data['units'])}, "
          f"old_units {len(data['old_units'])} ({nsplit} split among several), "
          f"Hà Nội {sum(1 for u in data['units'] if u['province'] == '01')}, "
          f"{out.stat().st_size} bytes -> {out}")
    if multi_full:
        print(f"note: {multi_full} old units marked 'full' in more than one new unit",
              file=sys.stderr)


if __name__ == "__main__":
    main()
