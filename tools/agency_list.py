#!/usr/bin/env python3
"""Writes a SYNTHETIC labour-export company's list of workers laid out like the list published
in seed 000 (a title row, then NO, NAME, D.O.B as DD-MM-YY, POSITION, PASSPORT NO, DATE OF
ISSUE, DATE OF EXPIRY, PROVINCE as "commune - district - province" without diacritics, NOTE).
Every name and number is made up from the lists below (never from the seeds).

    python3 tools/agency_list.py [--rows N] [--seed S] [--sep ,] > list.csv

Rows 3 and 7 carry the mistakes such lists have: an expiry date before the issue date (row 3)
and a worker born in 2005, a minor when the work began in 2021 (row 7).
"""
import argparse
import random
import sys

FAMILY = ["NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "PHAN", "VU", "DANG", "BUI", "DO", "HO", "NGO"]
MIDDLE = ["VAN", "DINH", "DUC", "QUANG", "MINH", "HUU", "XUAN", "CONG", "THANH"]
GIVEN = ["AN", "BINH", "CUONG", "DUNG", "GIANG", "HAI", "HUNG", "KHANH", "LONG", "NAM", "PHONG",
         "QUAN", "SON", "TAI", "THANG", "TUAN", "VIET", "VINH"]
POSITION = ["BUOC SAT", "FOREMAN MOC", "THO XAY", "THO HAN", "PHU HO", "THO MOC"]
# commune, district, province: real provinces and districts, communes named generically
PLACES = [("XA THANH", "HUYEN YEN THANH", "NGHE AN"), ("XA HUNG", "HUYEN HUONG SON", "HA TINH"),
          ("XA QUANG", "HUYEN QUANG XUONG", "THANH HOA"), ("XA DUC", "HUYEN QUANG TRACH",
          "QUANG BINH"), ("XA NGHIA", "HUYEN NGHIA HUNG", "NAM DINH"), ("XA AN", "HUYEN DIEN CHAU",
          "NGHE AN"), ("XA TAN", "HUYEN CAM XUYEN", "HA TINH")]


def dmy(d, m, y):
    return "%02d-%02d-%02d" % (d, m, y % 100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=12)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--sep", default=",")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    sep = "\t" if a.sep == "tab" else a.sep
    out = sys.stdout
    out.write(sep.join(["SYNTHETIC LIST OF WORKERS (TEST DATA)"] + [""] * 8) + "\r\n")
    out.write(sep.join(["NO", "NAME", "D.O.B", "POSITION", "PASSPORT NO", "DATE OF ISSUE",
                        "DATE OF EXPIRY", "PROVINCE", "NOTE"]) + "\r\n")
    for i in range(1, a.rows + 1):
        name = " ".join([rnd.choice(FAMILY), rnd.choice(MIDDLE), rnd.choice(GIVEN)])
        by = 2005 if i == 7 else rnd.randint(1968, 1999)
        dob = dmy(rnd.randint(1, 28), rnd.randint(1, 12), by)
        iy, im, idd = rnd.randint(2012, 2020), rnd.randint(1, 12), rnd.randint(1, 28)
        issue = dmy(idd, im, iy)
        expiry = dmy(idd - 1 if idd > 1 else 1, im, iy) if i == 3 else dmy(idd, im, iy + 10)
        place = " - ".join(rnd.choice(PLACES))
        note = "" if i % 5 else "returned"
        out.write(sep.join([str(i), name, dob, rnd.choice(POSITION), "Z9%06d" % (100000 + i),
                            issue, expiry, place, note]) + "\r\n")


if __name__ == "__main__":
    main()
