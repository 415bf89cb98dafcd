#!/usr/bin/env python3
"""A second generator of person records for record linkage, independent of ctip's (lib/demo/demo.c):
written from the description of plain registry data in issue 12, not from ctip's generator,
with its own name lists, frequencies and error model. It writes ctip's import format and a
truth file (src_Organisation,src_RecordId,person_id) so that `ctip link run` can be measured
on data it was not tuned on (bench/link.sh runs it).

    python3 bench/indep_gen.py PERSONS SEED DATA.csv TRUTH.csv [VARIANT]

VARIANT "b" (bench/link.sh profile indep-b) changes every rate, so that a result does not rest
on one error model: birth date missing 25 %, year only 10 %, swapped 4 %; province missing 30 %,
moved 10 %; documents on a third of the records, mistyped 5 %; phones on a fifth, changed
20 %; names without diacritics 60 %, capitals 10 %, typos 7 %, middle name dropped 35 %,
replaced 5 %, order swapped 15 %; gender missing 20 %; 1 to 6 records per person (mean about
2.2), at one organisation twice in 15 % (a shelter that records a person again).

Error model (per record unless said): birth date missing 15 %, year only 20 %, day and month
swapped 2 %; province missing 20 %, a person moved to another province 5 %, nothing below the
province; no dates of exploitation; a document on fewer than half the records (a citizen card
of 12 digits whose first three are the birth province's code, the sex-and-century digit and the
two digits of the birth year, or an old 9-digit identity card, and one digit mistyped in 3 %);
a phone on about a third (a person changes number in 10 %); names without diacritics in 40 %
and in capitals in 20 %, a typo anywhere in a name in 4 % of names, middle name dropped in 20 %
or replaced by another in 3 %, family and given name swapped in 8 %; gender missing 10 %; 1 to
5 records per person (mean about 1.9), at distinct organisations except 5 % twice at one.
"""
import csv
import random
import sys
import unicodedata

FAMILY = [("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 50), ("Huỳnh", 20),
          ("Phan", 45), ("Vũ", 30), ("Võ", 20), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13),
          ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đinh", 6), ("Trương", 5), ("Lương", 4),
          ("Mai", 3), ("Cao", 3), ("Tô", 2), ("Hà", 4), ("Lò", 3), ("Giàng", 3), ("Vàng", 2),
          ("Sùng", 2), ("Quàng", 1), ("Triệu", 2), ("Nông", 3), ("Lục", 1), ("Thào", 2),
          ("Kiều", 1), ("Tạ", 1), ("Chu", 1), ("Lâm", 2), ("Đào", 3), ("Trịnh", 3), ("Tăng", 1)]
MIDDLE_F = [("Thị", 600), ("Ngọc", 50), ("Thu", 40), ("Thanh", 40), ("Minh", 20), ("Kim", 20),
            ("Hồng", 20), ("Thùy", 15), ("Phương", 15), ("Bích", 10), ("Thị Thu", 15),
            ("Thị Ngọc", 10), ("Mỹ", 10), ("Diệu", 5), ("Hải", 5), ("Quỳnh", 5)]
MIDDLE_M = [("Văn", 550), ("Đức", 60), ("Minh", 50), ("Quang", 40), ("Thanh", 30), ("Hữu", 30),
            ("Công", 25), ("Xuân", 20), ("Ngọc", 15), ("Bá", 15), ("Đình", 25), ("Trọng", 15),
            ("Tiến", 10), ("Mạnh", 10), ("Duy", 10), ("A", 10), ("Seo", 5)]
GIVEN_F = ["Lan", "Hương", "Linh", "Trang", "Hà", "Ngọc", "Thảo", "Mai", "Hằng", "Huyền", "Nhung",
           "Phương", "Anh", "Dung", "Hoa", "Yến", "Oanh", "Thủy", "Hạnh", "Nga", "Vân", "Hiền",
           "Loan", "Thu", "Xuân", "Quỳnh", "Trinh", "Giang", "Nhi", "Vy", "My", "Tâm", "Liên",
           "Duyên", "Thơm", "Chi", "Mỷ", "Dở", "Súa", "Pằng", "Chá", "Sinh", "Tuyết", "Thắm",
           "Ngân", "Hậu", "Lụa", "Hồng", "Diệp", "Khánh", "Ly", "Như", "Uyên", "Châu", "Lệ"]
GIVEN_M = ["Hùng", "Dũng", "Nam", "Tuấn", "Minh", "Hải", "Long", "Thắng", "Hiếu", "Cường",
           "Quân", "Sơn", "Phong", "Tùng", "Trung", "Đức", "Hoàng", "Huy", "Khánh", "Lâm", "Tài",
           "Thành", "Tâm", "Việt", "Vinh", "Bình", "Chiến", "Công", "Định", "Giang", "Hòa",
           "Kiên", "Lợi", "Mạnh", "Nghĩa", "Phúc", "Quang", "Sang", "Thái", "Toàn", "Tú", "Vũ",
           "Anh", "Pao", "Chứ", "Dình", "Sử", "Lử", "Páo", "Thào", "Dế", "Khải", "Lực", "Bảo"]
ORGS = [("Công an tỉnh Kiểm Thử", "Police"), ("Bộ đội Biên phòng Kiểm Thử", "BorderGuard"),
        ("Trung tâm Công tác xã hội Kiểm Thử", "SocialProtectionCentre"),
        ("Đường dây nóng Kiểm Thử", "Hotline"), ("Tổ chức Phi chính phủ Kiểm Thử", "NGO"),
        ("Viện Kiểm sát Kiểm Thử", "Procuracy"), ("Tổ chức Quốc tế Kiểm Thử", "InternationalOrganisation")]
ORG_W = [30, 20, 15, 10, 12, 5, 8]


def provinces():
    """The 2008 provinces (code, name) from ctip's reference data; the commonest sources of
    victims weigh more."""
    with open("data/geo/provinces_2008.csv", encoding="utf-8") as f:
        rows = [(r["code"], r["name_vi"]) for r in csv.DictReader(f)]
    heavy = {"Nghệ An", "Thanh Hóa", "Hà Tĩnh", "Lào Cai", "Hà Giang", "Điện Biên", "Sơn La",
             "Lai Châu", "Quảng Bình", "Lạng Sơn", "Cao Bằng", "Yên Bái"}
    return rows, [6 if n in heavy else 1 for _, n in rows]


def wpick(rng, pairs):
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def zipf_pick(rng, names):
    return rng.choices(names, [1 / (i + 1) ** 0.9 for i in range(len(names))])[0]


def strip_marks(s):
    s = s.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def typo(rng, s):
    if len(s) < 2:
        return s
    i = rng.randrange(len(s))
    k = rng.random()
    letters = "abcdeghiklmnopqrstuvxy"
    if k < 0.3:
        return s[:i] + s[i + 1:]
    if k < 0.55:
        return s[:i] + rng.choice(letters) + s[i:]
    if k < 0.8 and i + 1 < len(s):
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + rng.choice(letters) + s[i + 1:]


RATES = {
    "a": dict(bd_missing=0.15, bd_year=0.20, bd_swap=0.02, prov_missing=0.20, prov_moved=0.05,
              doc=0.45, doc_typo=0.03, phone=0.37, phone_changed=0.10, plain=0.4, caps=0.2,
              typo=0.04, mid_drop=0.2, mid_other=0.03, swap=0.08, gender_missing=0.1,
              recs_mean=1.6, recs_max=5, same_org=0.05),
    "b": dict(bd_missing=0.25, bd_year=0.10, bd_swap=0.04, prov_missing=0.30, prov_moved=0.10,
              doc=0.33, doc_typo=0.05, phone=0.22, phone_changed=0.20, plain=0.6, caps=0.1,
              typo=0.07, mid_drop=0.35, mid_other=0.05, swap=0.15, gender_missing=0.2,
              recs_mean=2.0, recs_max=6, same_org=0.15),
}
R = RATES["a"]


def write_name(rng, s, plain, caps):
    if not s:
        return ""
    if rng.random() < R["typo"]:
        s = typo(rng, s)
    if plain:
        s = strip_marks(s)
    return s.upper() if caps else s


def main():
    global R
    n, seed, out, truth = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    R = RATES[sys.argv[5] if len(sys.argv) > 5 else "a"]
    rng = random.Random(seed)
    provs, pw = provinces()
    cols = ["src_Organisation", "org_Type", "src_CaseId", "ctip_CaseOpenedDate", "src_RecordId",
            "ctip_Role", "prs_SecondName", "prs_MiddleName", "prs_FirstName", "prs_Birthdate",
            "prs_Gender", "ctip_IdentityType", "prs_IdentityNumber", "prs_MobilePhone",
            "prs_MailingState"]
    recno = [0] * len(ORGS)
    with open(out, "w", newline="", encoding="utf-8") as fo, \
            open(truth, "w", newline="", encoding="utf-8") as ft:
        w = csv.writer(fo)
        t = csv.writer(ft)
        w.writerow(cols)
        t.writerow(["src_Organisation", "src_RecordId", "person_id"])
        for pid in range(1, n + 1):
            female = rng.random() < 0.6
            fam = wpick(rng, FAMILY)
            mid = wpick(rng, MIDDLE_F if female else MIDDLE_M)
            giv = zipf_pick(rng, GIVEN_F if female else GIVEN_M)
            year = rng.randint(1965, 2010)
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            bcode, bprov = rng.choices(provs, pw)[0]
            home = bprov if rng.random() < 0.85 else rng.choices(provs, pw)[0][1]
            if rng.random() < 0.55:
                cccd = "0%s%d%02d%06d" % (bcode, (0 if year < 2000 else 2) + female, year % 100,
                                           rng.randrange(10 ** 6))
                doc = ("CCCD", cccd)
            else:
                doc = ("CMND", "%09d" % rng.randrange(10 ** 9))
            phone = "0" + rng.choice("35789") + "%08d" % rng.randrange(10 ** 8) \
                if rng.random() < 0.9 else ""
            k = min(R["recs_max"], 1 + int(rng.expovariate(1 / R["recs_mean"])))
            orgs = rng.choices(range(len(ORGS)), ORG_W, k=k)
            seen = set()
            for o in orgs:
                if o in seen and rng.random() > R["same_org"]:
                    continue
                seen.add(o)
                recno[o] += 1
                org, otype = ORGS[o]
                rid = "IR%d-%06d" % (o, recno[o])
                plain, caps = rng.random() < R["plain"], rng.random() < R["caps"]
                f, g = fam, giv
                m = "" if rng.random() < R["mid_drop"] else mid
                if m and rng.random() < R["mid_other"]:
                    m = wpick(rng, MIDDLE_F if female else MIDDLE_M)
                if rng.random() < R["swap"]:
                    f, g = g, f
                x = rng.random()
                if x < R["bd_missing"]:
                    bd = ""
                elif x < R["bd_missing"] + R["bd_year"]:
                    bd = "%04d" % year
                elif x < R["bd_missing"] + R["bd_year"] + R["bd_swap"]:
                    bd = "%04d-%02d-%02d" % (year, day if day <= 12 else month, month)
                else:
                    bd = "%04d-%02d-%02d" % (year, month, day)
                prov = "" if rng.random() < R["prov_missing"] else (home if rng.random() < 1 - R["prov_moved"] else
                                                       rng.choices(provs, pw)[0][1])
                dt, dn = ("", "")
                if rng.random() < R["doc"]:
                    dt, dn = doc
                    if rng.random() < R["doc_typo"]:
                        i = rng.randrange(len(dn))
                        dn = dn[:i] + str(rng.randrange(10)) + dn[i + 1:]
                ph = ""
                if phone and rng.random() < R["phone"]:
                    ph = phone if rng.random() > R["phone_changed"] else \
                        "0" + rng.choice("35789") + "%08d" % rng.randrange(10 ** 8)
                gender = "" if rng.random() < R["gender_missing"] else ("Feminine" if female else "Masculine")
                w.writerow([org, otype, "IC%d-%06d" % (o, recno[o]), "2024-01-15", rid, "Victim",
                            write_name(rng, f, plain, caps), write_name(rng, m, plain, caps),
                            write_name(rng, g, plain, caps), bd, gender, dt, dn, ph,
                            strip_marks(prov) if plain else prov])
                t.writerow([org, rid, pid])


main()
