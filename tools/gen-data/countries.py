#!/usr/bin/env python3
"""Generate data/geo/countries.csv from Debian's iso-codes package.

Usage: python3 tools/gen-data/countries.py [output.csv]
Needs: apt-get install -y iso-codes   (python3 standard library only)

Columns: code,name_en,name_vi,aliases
- code: ISO 3166-1 alpha-2.
- name_en: iso-codes common_name if present, else name (a few overrides below).
- name_vi: the modern Vietnamese name (VI_NAMES below, checked by hand: the
  iso-codes Vietnamese translation uses dated transliterations such as
  "Miến Điện", "Căm Bốt", "Xéc-bi"); falls back to the translation.
- aliases: alpha-3, the ISO name/official name when different from name_en,
  the iso-codes Vietnamese translation when it differs, and common spellings.
"""
import csv, gettext, json, os, re, sys, unicodedata

ISO_JSON = '/usr/share/iso-codes/json/iso_3166-1.json'
LOCALEDIR = '/usr/share/locale'
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, '..', '..', 'data', 'geo', 'countries.csv')

EN_OVERRIDES = {
    'BN': 'Brunei', 'CD': 'Democratic Republic of the Congo', 'FM': 'Micronesia',
    'PS': 'Palestine', 'RU': 'Russia', 'VA': 'Vatican City',
}

VI_NAMES = {
 'AW':'Aruba','AF':'Afghanistan','AO':'Angola','AI':'Anguilla','AX':'Quần đảo Åland','AL':'Albania',
 'AD':'Andorra','AE':'Các Tiểu vương quốc Ả Rập Thống nhất','AR':'Argentina','AM':'Armenia',
 'AS':'Samoa thuộc Mỹ','AQ':'Châu Nam Cực','TF':'Vùng đất phía Nam và châu Nam Cực thuộc Pháp',
 'AG':'Antigua và Barbuda','AU':'Úc','AT':'Áo','AZ':'Azerbaijan','BI':'Burundi','BE':'Bỉ',
 'BJ':'Bénin','BQ':'Bonaire, Sint Eustatius và Saba','BF':'Burkina Faso','BD':'Bangladesh',
 'BG':'Bulgaria','BH':'Bahrain','BS':'Bahamas','BA':'Bosna và Hercegovina','BL':'Saint-Barthélemy',
 'BY':'Belarus','BZ':'Belize','BM':'Bermuda','BO':'Bolivia','BR':'Brasil','BB':'Barbados',
 'BN':'Brunei','BT':'Bhutan','BV':'Đảo Bouvet','BW':'Botswana','CF':'Cộng hòa Trung Phi',
 'CA':'Canada','CC':'Quần đảo Cocos (Keeling)','CH':'Thụy Sĩ','CL':'Chile','CN':'Trung Quốc',
 'CI':'Bờ Biển Ngà','CM':'Cameroon','CD':'Cộng hòa Dân chủ Congo','CG':'Cộng hòa Congo',
 'CK':'Quần đảo Cook','CO':'Colombia','KM':'Comoros','CV':'Cabo Verde','CR':'Costa Rica',
 'CU':'Cuba','CW':'Curaçao','CX':'Đảo Christmas','KY':'Quần đảo Cayman','CY':'Síp','CZ':'Séc',
 'DE':'Đức','DJ':'Djibouti','DM':'Dominica','DK':'Đan Mạch','DO':'Cộng hòa Dominica',
 'DZ':'Algérie','EC':'Ecuador','EG':'Ai Cập','ER':'Eritrea','EH':'Tây Sahara','ES':'Tây Ban Nha',
 'EE':'Estonia','ET':'Ethiopia','FI':'Phần Lan','FJ':'Fiji','FK':'Quần đảo Falkland','FR':'Pháp',
 'FO':'Quần đảo Faroe','FM':'Micronesia','GA':'Gabon','GB':'Vương quốc Anh','GE':'Gruzia',
 'GG':'Guernsey','GH':'Ghana','GI':'Gibraltar','GN':'Guinée','GP':'Guadeloupe','GM':'Gambia',
 'GW':'Guiné-Bissau','GQ':'Guinea Xích Đạo','GR':'Hy Lạp','GD':'Grenada','GL':'Greenland',
 'GT':'Guatemala','GF':'Guyane thuộc Pháp','GU':'Guam','GY':'Guyana','HK':'Hồng Kông',
 'HM':'Đảo Heard và quần đảo McDonald','HN':'Honduras','HR':'Croatia','HT':'Haiti','HU':'Hungary',
 'ID':'Indonesia','IM':'Đảo Man','IN':'Ấn Độ','IO':'Lãnh thổ Ấn Độ Dương thuộc Anh','IE':'Ireland',
 'IR':'Iran','IQ':'Iraq','IS':'Iceland','IL':'Israel','IT':'Ý','JM':'Jamaica','JE':'Jersey',
 'JO':'Jordan','JP':'Nhật Bản','KZ':'Kazakhstan','KE':'Kenya','KG':'Kyrgyzstan','KH':'Campuchia',
 'KI':'Kiribati','KN':'Saint Kitts và Nevis','KR':'Hàn Quốc','KW':'Kuwait','LA':'Lào','LB':'Liban',
 'LR':'Liberia','LY':'Libya','LC':'Saint Lucia','LI':'Liechtenstein','LK':'Sri Lanka','LS':'Lesotho',
 'LT':'Litva','LU':'Luxembourg','LV':'Latvia','MO':'Ma Cao','MF':'Saint-Martin (thuộc Pháp)',
 'MA':'Maroc','MC':'Monaco','MD':'Moldova','MG':'Madagascar','MV':'Maldives','MX':'Mexico',
 'MH':'Quần đảo Marshall','MK':'Bắc Macedonia','ML':'Mali','MT':'Malta','MM':'Myanmar',
 'ME':'Montenegro','MN':'Mông Cổ','MP':'Quần đảo Bắc Mariana','MZ':'Mozambique','MR':'Mauritanie',
 'MS':'Montserrat','MQ':'Martinique','MU':'Mauritius','MW':'Malawi','MY':'Malaysia','YT':'Mayotte',
 'NA':'Namibia','NC':'Nouvelle-Calédonie','NE':'Niger','NF':'Đảo Norfolk','NG':'Nigeria',
 'NI':'Nicaragua','NU':'Niue','NL':'Hà Lan','NO':'Na Uy','NP':'Nepal','NR':'Nauru',
 'NZ':'New Zealand','OM':'Oman','PK':'Pakistan','PA':'Panama','PN':'Quần đảo Pitcairn','PE':'Peru',
 'PH':'Philippines','PW':'Palau','PG':'Papua New Guinea','PL':'Ba Lan','PR':'Puerto Rico',
 'KP':'Triều Tiên','PT':'Bồ Đào Nha','PY':'Paraguay','PS':'Palestine','PF':'Polynésie thuộc Pháp',
 'QA':'Qatar','RE':'Réunion','RO':'Romania','RU':'Nga','RW':'Rwanda','SA':'Ả Rập Xê Út',
 'SD':'Sudan','SN':'Sénégal','SG':'Singapore','GS':'Quần đảo Nam Georgia và Nam Sandwich',
 'SH':'Saint Helena, Ascension và Tristan da Cunha','SJ':'Svalbard và Jan Mayen',
 'SB':'Quần đảo Solomon','SL':'Sierra Leone','SV':'El Salvador','SM':'San Marino','SO':'Somalia',
 'PM':'Saint-Pierre và Miquelon','RS':'Serbia','SS':'Nam Sudan','ST':'São Tomé và Príncipe',
 'SR':'Suriname','SK':'Slovakia','SI':'Slovenia','SE':'Thụy Điển','SZ':'Eswatini',
 'SX':'Sint Maarten (thuộc Hà Lan)','SC':'Seychelles','SY':'Syria','TC':'Quần đảo Turks và Caicos',
 'TD':'Tchad','TG':'Togo','TH':'Thái Lan','TJ':'Tajikistan','TK':'Tokelau','TM':'Turkmenistan',
 'TL':'Đông Timor','TO':'Tonga','TT':'Trinidad và Tobago','TN':'Tunisia','TR':'Thổ Nhĩ Kỳ',
 'TV':'Tuvalu','TW':'Đài Loan','TZ':'Tanzania','UG':'Uganda','UA':'Ukraina',
 'UM':'Các tiểu đảo xa của Hoa Kỳ','UY':'Uruguay','US':'Hoa Kỳ','UZ':'Uzbekistan',
 'VA':'Thành Vatican','VC':'Saint Vincent và Grenadines','VE':'Venezuela',
 'VG':'Quần đảo Virgin thuộc Anh','VI':'Quần đảo Virgin thuộc Mỹ','VN':'Việt Nam','VU':'Vanuatu',
 'WF':'Wallis và Futuna','WS':'Samoa','YE':'Yemen','ZA':'Nam Phi','ZM':'Zambia','ZW':'Zimbabwe',
}

# Extra spellings users type (English and Vietnamese); ';'-separated.
EXTRA = {
 'AE': 'UAE;Emirates;Các Tiểu vương quốc Ả Rập',
 'AU': 'Ô-xtrây-li-a', 'BO': 'Bolivia, Plurinational State of', 'BR': 'Brazil',
 'CH': 'Thụy Sỹ', 'CI': "Ivory Coast;Côte d'Ivoire",
 'CN': "PRC;Mainland China;People's Republic of China;Trung Hoa;TQ;CHND Trung Hoa",
 'CD': 'DRC;DR Congo;Congo-Kinshasa;Congo (Kinshasa)', 'CG': 'Republic of the Congo;Congo-Brazzaville;Congo (Brazzaville)',
 'CV': 'Cape Verde', 'CZ': 'Czech Republic;Cộng hòa Séc', 'DE': 'Deutschland;CHLB Đức',
 'DZ': 'Angiêri', 'GB': 'UK;U.K.;Great Britain;Britain;England;Scotland;Wales;Northern Ireland;Anh;Anh Quốc;Vương quốc Liên hiệp Anh và Bắc Ireland',
 'GN': 'Guinea', 'GW': 'Guinea-Bissau', 'HK': 'Hong Kong SAR;Hương Cảng;Hồng Kông (Trung Quốc)',
 'ID': 'Nam Dương', 'IN': 'Ấn', 'IR': 'Persia;Ba Tư', 'IT': 'Italia', 'JP': 'Nippon;Nhật',
 'KH': 'Kampuchea;Cam-pu-chia;Căm Bốt;Cao Miên',
 'KP': "Korea (North);Korea, North;DPRK;Bắc Triều Tiên;Bắc Hàn;CHDCND Triều Tiên",
 'KR': 'Korea (South);Korea, South;Republic of Korea;ROK;Korea;Nam Hàn;Đại Hàn;Hàn',
 'LA': 'Lao PDR;Lao;Ai Lao;CHDCND Lào', 'LB': 'Lebanon', 'LT': 'Lithuania', 'MA': 'Morocco',
 'MK': 'Macedonia', 'MM': 'Burma;Miến Điện', 'MO': 'Macau;Macao SAR;Áo Môn', 'MR': 'Mauritania',
 'MY': 'Mã Lai;Ma-lai-xi-a', 'NL': 'Holland;The Netherlands;Hòa Lan', 'PH': 'Phi Luật Tân',
 'RS': 'Xéc-bi-a;Xéc-bi', 'RU': 'Russian Federation;Liên bang Nga', 'SA': 'Saudi;KSA;Ả Rập Saudi;A-rập Xê-út;Arập Xêút',
 'SG': 'Tân Gia Ba', 'SN': 'Senegal', 'SZ': 'Swaziland', 'TD': 'Chad', 'TH': 'Siam',
 'TL': 'East Timor;Timor Leste', 'TR': 'Turkey;Turkiye', 'TW': 'Republic of China;ROC;Chinese Taipei',
 'UA': 'Ukraine;U-crai-na', 'US': 'US;U.S.;America;United States of America;Mỹ',
 'VA': 'Holy See;Tòa Thánh', 'VN': 'Viet Nam;Vietnam;Socialist Republic of Viet Nam;CHXHCN Việt Nam',
 'BJ': 'Benin', 'NC': 'New Caledonia', 'PF': 'French Polynesia', 'GF': 'French Guiana',
 'ST': 'Sao Tome and Principe', 'LK': 'Tích Lan', 'IE': 'Ái Nhĩ Lan', 'IL': 'Do Thái',
 'GE': 'Georgia (country);Gru-di-a', 'KW': 'Cô-oét', 'BA': 'Bosnia', 'BN': 'Brunei Darussalam',
}

def nfc(s):
    return unicodedata.normalize('NFC', s).strip()

def fold(s):
    """ctip's matcher folding (lib/core/text.c): case, diacritics, đ, punctuation."""
    s = unicodedata.normalize('NFKD', s.replace('đ', 'd').replace('Đ', 'D'))
    s = ''.join(c for c in s if not unicodedata.combining(c)).casefold().replace("'", '')
    s = ''.join(' ' if (c < '\x80' and not c.isalnum() and not c.isspace()) else c for c in s)
    return ' '.join(s.split())

def match_key(s, is_code=False):
    """How ctip's loader indexes a spelling: codes and code-like aliases (capitals and
    digits: NGA, UAE) exactly but for ASCII case, everything else folded."""
    if is_code or re.fullmatch(r'[A-Z0-9]+', s):
        return ('code', s.lower())
    return ('text', fold(s))

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    data = json.load(open(ISO_JSON, encoding='utf-8'))['3166-1']
    tr = gettext.translation('iso_3166-1', LOCALEDIR, ['vi'])
    rows = []
    for c in sorted(data, key=lambda c: c['alpha_2']):
        a2 = c['alpha_2']
        name_en = EN_OVERRIDES.get(a2) or c.get('common_name') or c['name']
        tr_vi = tr.gettext(c.get('common_name', c['name']))
        tr_vi_full = tr.gettext(c['name'])
        name_vi = VI_NAMES.get(a2) or tr_vi
        # The translation's dated hyphenated transliterations ("Ai-xợ-bai-gianh") and
        # inverted forms ("Bắc Hàn, Cộng hoà ...") are not what users type: skip them.
        tr_aliases = [t for t in (tr_vi, tr_vi_full) if '-' not in t and ',' not in t]
        cand = [c['name'], c.get('common_name', ''), c.get('official_name', '')]
        cand += tr_aliases + EXTRA.get(a2, '').split(';')
        seen = {fold(a2), fold(name_en), fold(name_vi), fold(c['alpha_3'])}
        aliases = [c['alpha_3']]  # always listed, even if it folds to a name (e.g. LAO)
        for a in cand:
            a = nfc(a)
            if not a or ';' in a or fold(a) in seen:
                continue
            seen.add(fold(a))
            aliases.append(a)
        rows.append([a2, nfc(name_en), nfc(name_vi), aliases])
    # An alias must not name another entry as ctip's loader indexes spellings (it refuses
    # such data): drop it and say so. ('Mỹ' for the US is kept: names are matched apart
    # from codes, so it does not clash with Malaysia's code MY.)
    owner = {}
    for a2, en, vi, _ in rows:
        for k in (match_key(a2, True), match_key(en), match_key(vi)):
            owner.setdefault(k, set()).add(a2)
    for r in rows:
        for a in r[3]:
            owner.setdefault(match_key(a), set()).add(r[0])
    # The loader tries a text with no lower-case letter as a code first (NGA is Nigeria,
    # while 'Nga', Russia, is matched as a name): an all-capital name must not be a code.
    text_as_code = {}
    for a2, en, vi, al in rows:
        for t in [en, vi] + al:
            if match_key(t)[0] == 'text' and not any(ch.islower() for ch in t):
                text_as_code.setdefault(('code', t.strip().lower()), set()).add(a2)
    for r in rows:
        keep = []
        for a in r[3]:
            others = owner[match_key(a)] - {r[0]}
            if match_key(a)[0] == 'code':
                others |= text_as_code.get(match_key(a), set()) - {r[0]}
            if others:
                print(f'dropped alias {a!r} of {r[0]}: also names {sorted(others)}', file=sys.stderr)
            else:
                keep.append(a)
        r[3] = ';'.join(keep)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, 'w', encoding='utf-8', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['code', 'name_en', 'name_vi', 'aliases'])
        w.writerows(rows)
    print(f'{out}: {len(rows)} countries')

if __name__ == '__main__':
    main()
