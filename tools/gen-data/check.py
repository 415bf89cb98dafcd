#!/usr/bin/env python3
"""Validate ctip's data files (data/vocab/*.csv, data/geo/*.csv). Stdlib only.

Usage: python3 tools/gen-data/check.py [DATA_DIR]     (exit status 1 on any error)
"""
import csv, glob, io, os, re, sys, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(HERE, '..', '..', 'data'))

VOCAB_HEADER = ['code', 'label_en', 'label_vi', 'aliases']
VOCABS = ['gender', 'org_type', 'person_role', 'trafficking_status', 'status_decision_org',
          'relationship_to_trafficker', 'recruitment_method', 'websites_apps', 'control_method',
          'exploitation_type', 'labour_industry', 'sex_exploitation_type', 'vulnerability',
          'perpetrator_role', 'case_status', 'referral_reason', 'referral_status',
          'certificate_kind', 'event_type', 'assistance_kind', 'consent_scope',
          'proceeding_stage', 'criminal_article', 'sentence_kind', 'identity_doc_type', 'ethnicity']
GEO = {
    'countries.csv': (['code', 'name_en', 'name_vi', 'aliases'], r'[A-Z]{2}', None),
    'provinces_2008.csv': (['code', 'name_vi', 'name_en', 'aliases', 'code_2025'], r'\d{2}', 63),
    'provinces_2025.csv': (['code', 'name_vi', 'name_en', 'aliases'], r'\d{2}', 34),
}
errors = []

def err(path, msg):
    errors.append(f'{os.path.relpath(path, DATA)}: {msg}')

def fold(s):
    """Folding of ctip's matcher (lib/core/text.c ctip_text_fold): compatibility decomposition,
    case folding, combining marks stripped, đ -> d, ASCII punctuation other than the
    apostrophe -> space, apostrophes dropped (H'Mông = Hmong), whitespace squeezed."""
    s = s.replace('đ', 'd').replace('Đ', 'D')
    s = unicodedata.normalize('NFKD', s)
    s = ''.join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("'", '')
    s = ''.join(' ' if (c < '\x80' and not c.isalnum() and not c.isspace()) else c for c in s)
    return ' '.join(s.split())

def code_key(s):
    """Codes (and code-like aliases: capitals and digits only, e.g. NGA, UAE, 01) are matched
    apart from names, exactly but for ASCII case (lib/core/refdata.c code_key)."""
    return s.strip(' \t').translate(str.maketrans('ABCDEFGHIJKLMNOPQRSTUVWXYZ',
                                                  'abcdefghijklmnopqrstuvwxyz'))

def is_code_like(s):
    return re.fullmatch(r'[A-Z0-9]+', s) is not None

def read(path, header):
    raw = open(path, 'rb').read()
    if raw.startswith(b'\xef\xbb\xbf'):
        err(path, 'has a UTF-8 BOM')
    if b'\r' in raw:
        err(path, 'contains CR (line endings must be LF)')
    if raw and not raw.endswith(b'\n'):
        err(path, 'does not end with a newline')
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        err(path, f'not UTF-8: {e}')
        return []
    if unicodedata.normalize('NFC', text) != text:
        err(path, 'text is not NFC-normalised')
    try:
        rows = list(csv.reader(io.StringIO(text, newline=''), strict=True))
    except csv.Error as e:
        err(path, f'CSV parse error: {e}')
        return []
    if not rows or rows[0] != header:
        err(path, f'header {rows[0] if rows else None} != {header}')
        return []
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            err(path, f'line {n}: {len(r)} fields, expected {len(header)}')
            continue
        for v in r:
            if v != v.strip():
                err(path, f'line {n}: leading/trailing whitespace in {v!r}')
        out.append((n, dict(zip(header, r))))
    return out

warnings = []

def check_entries(path, rows, code_re, label_cols):
    """Codes unique, required fields non-empty, and no code, label or alias of one entry
    matching another entry's (codes and code-like aliases exactly but for ASCII case;
    labels and other aliases after folding)."""
    owner = {}   # (namespace, key) -> (code, what), as the loader indexes them
    loose = {}   # plain fold of everything (the stricter rule): collisions are warnings
    texts = []   # (line, spelling, code, what) of the names and non-code-like aliases
    codes = set()
    def claim(key, code, what, n):
        if not key.strip():
            err(path, f'line {n}: empty {what}')
            return
        as_code = what == 'code' or (what == 'alias' and is_code_like(key))
        k = ('code', code_key(key)) if as_code else ('text', fold(key))
        if not k[1]:
            err(path, f'line {n}: {what} {key!r} folds to nothing')
            return
        prev = owner.get(k)
        if prev and prev[0] != code:
            err(path, f'line {n}: {what} {key!r} of {code} also names {prev[0]} ({prev[1]})')
        elif not prev:
            owner[k] = (code, f'{what} {key!r}')
        lk = fold(key)
        lprev = loose.get(lk)
        if lprev and lprev[0] != code and not (prev and prev[0] != code):
            warnings.append(f'{os.path.relpath(path, DATA)}: line {n}: {what} {key!r} of {code} '
                            f'folds like {lprev[1]} of {lprev[0]} (kept apart by the code/name split)')
        elif not lprev:
            loose[lk] = (code, f'{what} {key!r}')
        if not as_code:
            texts.append((n, key, code, what))
    for n, r in rows:
        code = r['code']
        if not re.fullmatch(code_re, code):
            err(path, f'line {n}: bad code {code!r}')
        if code in codes:
            err(path, f'line {n}: duplicate code {code}')
        codes.add(code)
        for c in label_cols:
            if not r[c].strip():
                err(path, f'line {n}: empty {c}')
    # codes first, then labels, then aliases, so the message names the alias as culprit
    for n, r in rows:
        claim(r['code'], r['code'], 'code', n)
    for n, r in rows:
        for c in label_cols:
            if r[c].strip():
                claim(r[c], r['code'], c, n)
    for n, r in rows:
        if r['aliases'] == '':
            continue
        als = r['aliases'].split(';')
        for a in als:
            if a != a.strip() or not a:
                err(path, f'line {n}: empty or padded alias in {r["aliases"]!r}')
                continue
            claim(a, r['code'], 'alias', n)
    # The loader tries a text with no lower-case letter as a code before folding it, so an
    # all-capital name must not be another entry's code-like spelling ('Nga', Russia, is
    # read as a name and NGA as Nigeria's alpha-3). An alias causing this is an error (drop
    # it); a code doing it cannot be helped and is a warning.
    for n, key, code, what in texts:
        if any(ch.islower() for ch in key):
            continue
        prev = owner.get(('code', code_key(key)))
        if prev and prev[0] != code:
            msg = f'line {n}: {what} {key!r} of {code}, typed as is, finds {prev[1]} of {prev[0]}'
            if what == 'alias' or prev[1].startswith('alias'):
                err(path, msg)
            else:
                warnings.append(f'{os.path.relpath(path, DATA)}: {msg}')
    return codes

counts = {}
vocab_dir = os.path.join(DATA, 'vocab')
present = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(vocab_dir, '*.csv')))
for v in VOCABS:
    if v not in present:
        errors.append(f'vocab/{v}.csv: missing')
for v in present:
    path = os.path.join(vocab_dir, v + '.csv')
    rows = read(path, VOCAB_HEADER)
    check_entries(path, rows, r'[A-Za-z0-9][A-Za-z0-9_]*', ['label_en', 'label_vi'])
    counts[f'vocab/{v}.csv'] = len(rows)

geo_codes = {}
for fn, (header, code_re, expect) in GEO.items():
    path = os.path.join(DATA, 'geo', fn)
    if not os.path.exists(path):
        errors.append(f'geo/{fn}: missing')
        continue
    rows = read(path, header)
    geo_codes[fn] = (check_entries(path, rows, code_re, ['name_en', 'name_vi']), rows)
    counts[f'geo/{fn}'] = len(rows)
    if expect is not None and len(rows) != expect:
        err(path, f'{len(rows)} rows, expected {expect}')

if 'provinces_2008.csv' in geo_codes and 'provinces_2025.csv' in geo_codes:
    new_codes = geo_codes['provinces_2025.csv'][0]
    path = os.path.join(DATA, 'geo', 'provinces_2008.csv')
    used = set()
    for n, r in geo_codes['provinces_2008.csv'][1]:
        if r['code_2025'] not in new_codes:
            err(path, f'line {n}: code_2025 {r["code_2025"]!r} not in provinces_2025.csv')
        used.add(r['code_2025'])
    for c in sorted(new_codes - used):
        errors.append(f'geo/provinces_2025.csv: {c} has no predecessor in provinces_2008.csv')

if 'countries.csv' in geo_codes and len(geo_codes['countries.csv'][1]) < 249:
    errors.append('geo/countries.csv: fewer than 249 ISO 3166-1 codes')

for k in sorted(counts):
    print(f'{counts[k]:5d}  {k}')
for w in warnings:
    print('warning: ' + w)
if errors:
    print(f'\n{len(errors)} error(s):', file=sys.stderr)
    for e in errors:
        print('  ' + e, file=sys.stderr)
    sys.exit(1)
print('OK')
