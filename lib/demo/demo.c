/*
 * demo.c - the synthetic data generator (see demo.h).
 *
 * The generator works in "incidents": one trafficking event of one pattern
 * (a group of workers sent to Serbia, a girl taken to China, a group rescued
 * from a scam compound...), with its victims, perpetrators, and a timeline
 * (recruitment, transit, exploitation, rescue, return). Each organisation
 * that comes into contact with the incident opens one case holding the
 * people it recorded; which victims each organisation records is drawn per
 * victim, so some victims are recorded by several organisations and some by
 * none (the dark figure the estimators look for). Each organisation writes a
 * person its own way: the variant is drawn from a generator seeded by
 * (seed, organisation, person), so the same organisation writes the same
 * person identically in all its cases, as the import format requires.
 *
 * Determinism: every choice uses integer arithmetic on our own PRNG, and the
 * output is formatted by hand, so the bytes depend only on seed and persons.
 */
#include "demo.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"

/* ------------------------------------------------------------------ */
/* PRNG                                                                */
/* ------------------------------------------------------------------ */

/* xoshiro256** seeded by splitmix64 (Blackman & Vigna), hand-rolled: libc
 * rand()/random() differ across platforms, so the same seed would not give
 * the same data everywhere; these are a few lines of fixed 64-bit integer
 * arithmetic and give identical streams on every machine. */
struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n): the top 32 bits scaled by n (no 128-bit arithmetic). */
static uint32_t rnd(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static int32_t rrange(struct rng *r, int32_t lo, int32_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int32_t)rnd(r, (uint32_t)(hi - lo + 1));
}

static int chance(struct rng *r, unsigned permille)
{
	return rnd(r, 1000) < permille;
}

static int pickw(struct rng *r, const uint16_t *w, int n)
{
	uint32_t tot = 0;
	for (int i = 0; i < n; i++)
		tot += w[i];
	uint32_t x = rnd(r, tot);
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* Zipf-like pick over n items: item i has weight 2400/(i+4). */
static int pick_zipf(struct rng *r, int n)
{
	uint32_t tot = 0;
	for (int i = 0; i < n; i++)
		tot += 2400u / (uint32_t)(i + 4);
	uint32_t x = rnd(r, tot);
	for (int i = 0; i < n; i++) {
		uint32_t w = 2400u / (uint32_t)(i + 4);
		if (x < w)
			return i;
		x -= w;
	}
	return n - 1;
}

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* Dates: days since 1970-01-01 (H. Hinnant's civil calendar)          */
/* ------------------------------------------------------------------ */

static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z, int *py, int *pm, int *pd)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = yoe + era * 400;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp < 10 ? mp + 3 : mp - 9;
	*py = y + (m <= 2);
	*pm = m;
	*pd = d;
}

static int32_t ymd(int y, int m, int d)
{
	return days_from_civil(y, m, d);
}

/* Same day `years` later (29 Feb becomes 28 Feb). */
static int32_t add_years(int32_t day, int years)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return days_from_civil(y + years, m, d);
}

static int years_between(int32_t from, int32_t to)
{
	int y1, m1, d1, y2, m2, d2;
	civil_from_days(from, &y1, &m1, &d1);
	civil_from_days(to, &y2, &m2, &d2);
	int a = y2 - y1;
	if (m2 < m1 || (m2 == m1 && d2 < d1))
		a--;
	return a;
}

static int year_of(int32_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	return y;
}

static char *put_digits(char *p, unsigned v, int width)
{
	char tmp[16];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	*p = 0;
	return p;
}

/* prec: 3 = YYYY-MM-DD, 2 = YYYY-MM, 1 = YYYY. */
static void fmt_date(char *buf, int32_t day, int prec)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	char *p = put_digits(buf, (unsigned)y, 4);
	if (prec >= 2) {
		*p++ = '-';
		p = put_digits(p, (unsigned)m, 2);
	}
	if (prec >= 3) {
		*p++ = '-';
		put_digits(p, (unsigned)d, 2);
	}
}

/* ------------------------------------------------------------------ */
/* UTF-8 and Vietnamese letters                                        */
/* ------------------------------------------------------------------ */

static int utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0 && u[1]) {
		*cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
		return 2;
	}
	if ((u[0] & 0xF0) == 0xE0 && u[1] && u[2]) {
		*cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) |
		      (u[2] & 0x3F);
		return 3;
	}
	*cp = '?';
	return 1;
}

static char *utf8_encode(char *p, uint32_t cp)
{
	if (cp < 0x80) {
		*p++ = (char)cp;
	} else if (cp < 0x800) {
		*p++ = (char)(0xC0 | (cp >> 6));
		*p++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*p++ = (char)(0xE0 | (cp >> 12));
		*p++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*p++ = (char)(0x80 | (cp & 0x3F));
	}
	return p;
}

/* The ASCII base letter of a Vietnamese letter (case kept), or 0. */
static char viet_base(uint32_t cp)
{
	static const char latin1[] = /* U+00C0 .. U+00FF, '.' = not Vietnamese */
	        "AAAA....EEE.II....OOOO...UU.Y..."
	        "aaaa....eee.ii....oooo...uu.y...";
	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1[cp - 0xC0] == '.' ? 0 : latin1[cp - 0xC0];
	if (cp >= 0x1EA0 && cp <= 0x1EF9) {
		char b = cp <= 0x1EB7   ? 'a'
		         : cp <= 0x1EC7 ? 'e'
		         : cp <= 0x1ECB ? 'i'
		         : cp <= 0x1EE3 ? 'o'
		         : cp <= 0x1EF1 ? 'u'
		                        : 'y';
		return (cp & 1) ? b : (char)(b - 32);
	}
	switch (cp) {
	case 0x102: return 'A';
	case 0x103: return 'a';
	case 0x110: return 'D';
	case 0x111: return 'd';
	case 0x128: return 'I';
	case 0x129: return 'i';
	case 0x168: return 'U';
	case 0x169: return 'u';
	case 0x1A0: return 'O';
	case 0x1A1: return 'o';
	case 0x1AF: return 'U';
	case 0x1B0: return 'u';
	default: return 0;
	}
}

static uint32_t viet_upper(uint32_t cp)
{
	if (cp >= 'a' && cp <= 'z')
		return cp - 32;
	if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
		return cp - 0x20;
	if (cp >= 0x1EA0 && cp <= 0x1EF9)
		return cp & ~1u;
	switch (cp) {
	case 0x103:
	case 0x111:
	case 0x129:
	case 0x169:
	case 0x1A1: return cp - 1;
	case 0x1B0: return 0x1AF;
	default: return cp;
	}
}

static uint32_t viet_lower(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 0x20;
	if (cp >= 0x1EA0 && cp <= 0x1EF9)
		return cp | 1u;
	switch (cp) {
	case 0x102:
	case 0x110:
	case 0x128:
	case 0x168:
	case 0x1A0: return cp + 1;
	case 0x1AF: return 0x1B0;
	default: return cp;
	}
}

enum { TX_FOLD = 1, TX_UPPER = 2, TX_LOWER = 4 };

/* Copies src to dst (size n) dropping diacritics and/or changing case. */
static void text_tx(char *dst, size_t n, const char *src, int how)
{
	char *p = dst, *end = dst + n - 4;
	while (*src && p < end) {
		uint32_t cp;
		src += utf8_decode(src, &cp);
		if (how & TX_FOLD) {
			char b = viet_base(cp);
			if (b)
				cp = (unsigned char)b;
		}
		if (how & TX_UPPER)
			cp = viet_upper(cp);
		if (how & TX_LOWER)
			cp = viet_lower(cp);
		p = utf8_encode(p, cp);
	}
	*p = 0;
}

/* One edit on the letters of s: delete, double, swap or replace one. */
static void typo(struct rng *r, char *dst, size_t n, const char *src)
{
	uint32_t cps[64];
	int len = 0;
	while (*src && len < 60)
		src += utf8_decode(src, &cps[len++]);
	if (len >= 2) {
		int i = 1 + (int)rnd(r, (uint32_t)(len - 1)); /* keep the first letter */
		switch (rnd(r, 4)) {
		case 0: /* delete */
			if (len > 2) {
				memmove(&cps[i], &cps[i + 1],
				        (size_t)(len - i - 1) * sizeof cps[0]);
				len--;
			}
			break;
		case 1: /* double */
			memmove(&cps[i + 1], &cps[i], (size_t)(len - i) * sizeof cps[0]);
			len++;
			break;
		case 2: /* swap with the previous letter */
			if (i >= 2) {
				uint32_t t = cps[i];
				cps[i] = cps[i - 1];
				cps[i - 1] = t;
				break;
			}
			/* fall through */
		default: { /* replace: drop the diacritic, or a neighbouring letter */
			char b = viet_base(cps[i]);
			if (b)
				cps[i] = (unsigned char)b;
			else if (cps[i] >= 'a' && cps[i] <= 'z')
				cps[i] = (uint32_t)("qwertyuiopasdfghjklzxcvbnm"[rnd(r, 26)]);
			else
				cps[i] = 'n';
		}
		}
	}
	char *p = dst, *end = dst + n - 4;
	for (int i = 0; i < len && p < end; i++)
		p = utf8_encode(p, cps[i]);
	*p = 0;
}

/* ------------------------------------------------------------------ */
/* Reference tables                                                    */
/* ------------------------------------------------------------------ */

struct wname {
	const char *s;
	uint16_t w;
};

static const struct wname fam_kinh[] = {
        {"Nguyễn", 3800}, {"Trần", 1100}, {"Lê", 950},    {"Phạm", 700}, {"Hoàng", 300},
        {"Huỳnh", 200},   {"Phan", 450},  {"Vũ", 250},    {"Võ", 150},   {"Đặng", 210},
        {"Bùi", 200},     {"Đỗ", 140},    {"Hồ", 130},    {"Ngô", 130},  {"Dương", 100},
        {"Lý", 50},       {"Đinh", 60},   {"Trương", 50}, {"Cao", 40},   {"Lương", 30},
        {"Mai", 30},      {"Lâm", 20},    {"Tạ", 15},     {"Chu", 20},   {"Kiều", 10},
        {"Quách", 10},    {"Tô", 15},     {"Đào", 30},    {"Đoàn", 30},  {"Vương", 10},
        {"Trịnh", 40},    {"Hà", 30},     {"Thái", 15},   {"Lưu", 15},   {"La", 10},
        {"Nghiêm", 5},    {"Khúc", 5},    {"Lại", 10},    {"Tăng", 5},   {"Mạc", 5},
        {"Triệu", 10},    {"Thân", 8},    {"Ninh", 5},    {"Châu", 15},  {"Giang", 10},
        {"Hứa", 8},       {"Tôn", 5},     {"Phùng", 20},  {"Nông", 10},  {"Lò", 5},
        {"Giàng", 3},     {"Sùng", 3},    {"Vàng", 3},    {"Mùa", 2},    {"Thào", 3},
        {"Lầu", 2},       {"Âu", 5},      {"Doãn", 5},    {"Kha", 4},    {"Lục", 4},
        {"Văn", 4},       {"Bạch", 3},    {"Diệp", 3},    {"Ông", 3},    {"Từ", 5}};
static const struct wname fam_hmong[] = {
        {"Giàng", 250}, {"Sùng", 200}, {"Vàng", 250}, {"Lầu", 120}, {"Thào", 200}, {"Mùa", 100},
        {"Hạng", 80},   {"Lý", 120},   {"Vừ", 80},    {"Ly", 50},   {"Hờ", 30},    {"Tráng", 30}};
static const struct wname fam_thai[] = {{"Lò", 250},  {"Lường", 150}, {"Quàng", 100}, {"Cầm", 100},
                                        {"Tòng", 80}, {"Hà", 120},    {"Vi", 60},     {"Lù", 40},
                                        {"Điêu", 50}, {"Bạc", 40},    {"Lê", 40}};
static const struct wname fam_dao[] = {{"Triệu", 250}, {"Bàn", 250},  {"Đặng", 150}, {"Lý", 100},
                                       {"Chảo", 120},  {"Phùng", 80}, {"Tẩn", 60},   {"Bàn", 20}};
static const struct wname fam_tay[] = {{"Nông", 200}, {"Hoàng", 200}, {"Lục", 60},   {"Ma", 50},
                                       {"Hà", 60},    {"Lương", 60},  {"Vi", 40},    {"Đinh", 30},
                                       {"Hứa", 30},   {"Lăng", 30},   {"Triệu", 30}, {"Chu", 30},
                                       {"Bế", 50},    {"Nguyễn", 60}};
static const struct wname fam_muong[] = {{"Bùi", 300}, {"Đinh", 250}, {"Quách", 150},
                                         {"Hà", 100},  {"Xa", 50},    {"Cao", 40}};
static const struct wname fam_khmer[] = {{"Thạch", 200}, {"Sơn", 200}, {"Danh", 150}, {"Lâm", 100},
                                         {"Kim", 100},   {"Chau", 80}, {"Trần", 50}};
static const struct wname fam_hoa[] = {{"Lý", 150},  {"Trần", 100}, {"Lâm", 120},
                                       {"Hứa", 80},  {"Quách", 70}, {"Mã", 60},
                                       {"Tăng", 60}, {"Diệp", 50},  {"Lưu", 70}};
static const struct wname fam_cn[] = {{"Wang", 200}, {"Li", 200},   {"Zhang", 180}, {"Liu", 150},
                                      {"Chen", 150}, {"Yang", 100}, {"Huang", 90},  {"Zhao", 80},
                                      {"Wu", 70},    {"Zhou", 70}};

static const struct wname mid_m[] = {
        {"Văn", 500},    {"Đức", 60},   {"Minh", 60}, {"Hữu", 50},   {"Quang", 40},
        {"Xuân", 30},    {"Công", 30},  {"Đình", 40}, {"Ngọc", 20},  {"Thanh", 30},
        {"Bá", 20},      {"Trọng", 20}, {"Sỹ", 15},   {"Tiến", 15},  {"Duy", 15},
        {"Mạnh", 10},    {"Quốc", 20},  {"Anh", 10},  {"Hoàng", 10}, {"Viết", 10},
        {"Văn Minh", 5}, {"Đăng", 10},  {"Thế", 15},  {"Khắc", 8},   {"", 60}};
static const struct wname mid_f[] = {
        {"Thị", 550},    {"Ngọc", 50},     {"Thu", 40},       {"Thanh", 40},    {"Thùy", 30},
        {"Kim", 25},     {"Minh", 20},     {"Phương", 20},    {"Hồng", 20},     {"Mỹ", 15},
        {"Thị Thu", 30}, {"Thị Ngọc", 20}, {"Thị Thanh", 20}, {"Thị Minh", 10}, {"Bích", 10},
        {"Diệu", 8},     {"Hải", 10},      {"Khánh", 10},     {"", 60}};
static const struct wname mid_hm_m[] = {{"A", 400}, {"Seo", 200}, {"Văn", 200}, {"", 200}};
static const struct wname mid_hm_f[] = {{"Thị", 500}, {"Seo", 100}, {"", 400}};
static const struct wname mid_none[] = {{"", 1}};

static const char *const giv_m[] = {
        "Hùng",   "Dũng",  "Tuấn",  "Nam",   "Hải",   "Long",  "Sơn",  "Minh",  "Đức",   "Thắng",
        "Hoàng",  "Quang", "Tùng",  "Cường", "Thành", "Trung", "Hiếu", "Phúc",  "Huy",   "Khánh",
        "Bình",   "Toàn",  "Hưng",  "Việt",  "Anh",   "Tâm",   "Lâm",  "Hòa",   "Vinh",  "Phong",
        "Kiên",   "Quân",  "Tú",    "Đạt",   "Thịnh", "Nghĩa", "Tiến", "Thanh", "Hậu",   "Lộc",
        "Tài",    "Chiến", "Công",  "Hiệp",  "Mạnh",  "Bảo",   "Duy",  "Khoa",  "Hoan",  "Tình",
        "Sáng",   "Dương", "Giang", "Thuận", "Lực",   "Thái",  "Nhật", "Quyết", "Tấn",   "Thọ",
        "Trường", "Vũ",    "Đông",  "Hạnh",  "Lợi",   "Phát",  "Quý",  "Sang",  "Thông", "Vượng",
        "Cảnh",   "Định",  "Hào",   "Kỳ",    "Luân",  "Nhân",  "Quế",  "Thiện", "Trí",   "Văn"};
static const char *const giv_f[] = {
        "Hạnh",  "Lan",   "Hương",  "Mai",   "Linh",  "Trang", "Thảo",   "Hoa",  "Hằng",  "Huyền",
        "Ngọc",  "Nhung", "Phương", "Thủy",  "Hà",    "Yến",   "Loan",   "Dung", "Nga",   "Hiền",
        "Trâm",  "Vân",   "Quỳnh",  "Oanh",  "Nhi",   "Anh",   "Chi",    "Diệp", "Giang", "Hồng",
        "Hường", "Liên",  "Ly",     "Lý",    "Mơ",    "My",    "Nguyệt", "Nhàn", "Nương", "Phượng",
        "Sen",   "Tâm",   "Thắm",   "Thơm",  "Thu",   "Thúy",  "Tuyết",  "Uyên", "Vy",    "Xuân",
        "Duyên", "Hậu",   "Lụa",    "Quyên", "Thanh", "Trinh", "Tú",     "Bích", "Diệu",  "Đào",
        "Gấm",   "Hoài",  "Kiều",   "Lệ",    "Mến",   "Ngân",  "Như",    "Quế",  "Sương", "Tươi"};
static const char *const giv_hm_m[] = {"Pháo", "Chứ",  "Sử",  "Páo", "Dế",  "Chư",  "Giống",
                                       "Mình", "Sình", "Lử",  "Tủa", "Dua", "Sểnh", "Chơ",
                                       "Khua", "Vư",   "Nhè", "Pó",  "Thề", "Lềnh"};
static const char *const giv_hm_f[] = {"Mỷ",   "Dở", "Sua", "Mai", "Chá",  "Pàng", "Xa",
                                       "Cở",   "Ly", "Dợ",  "Súa", "Dính", "Máy",  "Sính",
                                       "Chía", "Ca", "Nu",  "Pà",  "Chi",  "Dung"};
static const char *const giv_cn_m[] = {"Wei", "Jun", "Lei", "Qiang", "Yong", "Tao", "Gang", "Bo"};
static const char *const giv_cn_f[] = {"Fang", "Min", "Jing", "Hui", "Li", "Yan", "Xiu", "Ping"};

enum eth { E_KINH, E_HMONG, E_THAI, E_TAY, E_DAO, E_MUONG, E_NUNG, E_KHMER, E_HOA, E_NETH };
static const char *const eth_code[E_NETH] = {"Kinh",  "Hmong", "Thai",  "Tay", "Dao",
                                             "Muong", "Nung",  "Khmer", "Hoa"};
/* Ethnicity weights by region of the home province. */
static const uint16_t eth_w_other[E_NETH] = {940, 2, 8, 8, 3, 20, 4, 5, 10};
static const uint16_t eth_w_north[E_NETH] = {250, 300, 150, 100, 120, 10, 60, 0, 10};
static const uint16_t eth_w_ncentral[E_NETH] = {860, 40, 70, 0, 0, 30, 0, 0, 0};
static const uint16_t eth_w_south[E_NETH] = {850, 0, 0, 0, 0, 0, 0, 120, 30};

/* The 63 provinces of 2008-2025 with the code that opens a CCCD number. */
enum region { R_OTHER, R_NORTH, R_NCENTRAL, R_SOUTH };
struct province {
	const char *name;
	uint8_t code;
	uint8_t region;
	uint16_t w; /* weight as a home province of victims */
};
static const struct province provs[] = {{"Hà Nội", 1, R_OTHER, 40},
                                        {"Hà Giang", 2, R_NORTH, 40},
                                        {"Cao Bằng", 4, R_NORTH, 15},
                                        {"Bắc Kạn", 6, R_NORTH, 5},
                                        {"Tuyên Quang", 8, R_NORTH, 6},
                                        {"Lào Cai", 10, R_NORTH, 40},
                                        {"Điện Biên", 11, R_NORTH, 30},
                                        {"Lai Châu", 12, R_NORTH, 20},
                                        {"Sơn La", 14, R_NORTH, 30},
                                        {"Yên Bái", 15, R_NORTH, 15},
                                        {"Hòa Bình", 17, R_OTHER, 6},
                                        {"Thái Nguyên", 19, R_OTHER, 5},
                                        {"Lạng Sơn", 20, R_NORTH, 15},
                                        {"Quảng Ninh", 22, R_OTHER, 10},
                                        {"Bắc Giang", 24, R_OTHER, 8},
                                        {"Phú Thọ", 25, R_OTHER, 6},
                                        {"Vĩnh Phúc", 26, R_OTHER, 5},
                                        {"Bắc Ninh", 27, R_OTHER, 5},
                                        {"Hải Dương", 30, R_OTHER, 8},
                                        {"Hải Phòng", 31, R_OTHER, 25},
                                        {"Hưng Yên", 33, R_OTHER, 6},
                                        {"Thái Bình", 34, R_OTHER, 20},
                                        {"Hà Nam", 35, R_OTHER, 6},
                                        {"Nam Định", 36, R_OTHER, 20},
                                        {"Ninh Bình", 37, R_OTHER, 6},
                                        {"Thanh Hóa", 38, R_NCENTRAL, 80},
                                        {"Nghệ An", 40, R_NCENTRAL, 120},
                                        {"Hà Tĩnh", 42, R_NCENTRAL, 70},
                                        {"Quảng Bình", 44, R_NCENTRAL, 35},
                                        {"Quảng Trị", 45, R_OTHER, 8},
                                        {"Thừa Thiên Huế", 46, R_OTHER, 6},
                                        {"Đà Nẵng", 48, R_OTHER, 6},
                                        {"Quảng Nam", 49, R_OTHER, 6},
                                        {"Quảng Ngãi", 51, R_OTHER, 5},
                                        {"Bình Định", 52, R_OTHER, 5},
                                        {"Phú Yên", 54, R_OTHER, 4},
                                        {"Khánh Hòa", 56, R_OTHER, 5},
                                        {"Ninh Thuận", 58, R_OTHER, 4},
                                        {"Bình Thuận", 60, R_OTHER, 4},
                                        {"Kon Tum", 62, R_OTHER, 5},
                                        {"Gia Lai", 64, R_OTHER, 6},
                                        {"Đắk Lắk", 66, R_OTHER, 6},
                                        {"Đắk Nông", 67, R_OTHER, 4},
                                        {"Lâm Đồng", 68, R_OTHER, 4},
                                        {"Bình Phước", 70, R_OTHER, 4},
                                        {"Tây Ninh", 72, R_SOUTH, 8},
                                        {"Bình Dương", 74, R_OTHER, 6},
                                        {"Đồng Nai", 75, R_OTHER, 6},
                                        {"Bà Rịa - Vũng Tàu", 77, R_OTHER, 4},
                                        {"Hồ Chí Minh", 79, R_OTHER, 35},
                                        {"Long An", 80, R_OTHER, 5},
                                        {"Tiền Giang", 82, R_OTHER, 5},
                                        {"Bến Tre", 83, R_OTHER, 4},
                                        {"Trà Vinh", 84, R_SOUTH, 5},
                                        {"Vĩnh Long", 86, R_OTHER, 4},
                                        {"Đồng Tháp", 87, R_OTHER, 6},
                                        {"An Giang", 89, R_SOUTH, 10},
                                        {"Kiên Giang", 91, R_SOUTH, 8},
                                        {"Cần Thơ", 92, R_OTHER, 6},
                                        {"Hậu Giang", 93, R_OTHER, 4},
                                        {"Sóc Trăng", 94, R_SOUTH, 6},
                                        {"Bạc Liêu", 95, R_SOUTH, 4},
                                        {"Cà Mau", 96, R_OTHER, 5}};
#define NPROV NELEM(provs)

enum {
	P_HANOI = 0,
	P_HAGIANG = 1,
	P_CAOBANG = 2,
	P_TUYENQUANG = 4,
	P_LAOCAI = 5,
	P_DIENBIEN = 6,
	P_LAICHAU = 7,
	P_SONLA = 8,
	P_YENBAI = 9,
	P_LANGSON = 12,
	P_HAIPHONG = 19,
	P_THAIBINH = 21,
	P_NAMDINH = 23,
	P_THANHHOA = 25,
	P_NGHEAN = 26,
	P_HATINH = 27,
	P_QUANGBINH = 28,
	P_HCM = 49,
	P_ANGIANG = 56
};

/* Districts of the main sending provinces; others draw from a generic list. */
struct pdistricts {
	int prov;
	const char *d[10];
};
static const struct pdistricts districts[] = {
        {P_NGHEAN,
         {"Yên Thành", "Diễn Châu", "Quỳnh Lưu", "Nghi Lộc", "Thanh Chương", "Nam Đàn", "Đô Lương",
          "Kỳ Sơn", "Tương Dương", "Quế Phong"}},
        {P_HATINH,
         {"Kỳ Anh", "Can Lộc", "Cẩm Xuyên", "Thạch Hà", "Hương Khê", "Đức Thọ", "Nghi Xuân",
          "Hương Sơn", "Lộc Hà", "Vũ Quang"}},
        {P_THANHHOA,
         {"Nghi Sơn", "Quảng Xương", "Hoằng Hóa", "Thọ Xuân", "Mường Lát", "Quan Sơn", "Hậu Lộc",
          "Nga Sơn", "Thạch Thành", "Như Xuân"}},
        {P_QUANGBINH,
         {"Bố Trạch", "Quảng Trạch", "Lệ Thủy", "Minh Hóa", "Tuyên Hóa", "Quảng Ninh", "Đồng Hới",
          "Ba Đồn"}},
        {P_LAOCAI,
         {"Bát Xát", "Mường Khương", "Si Ma Cai", "Bắc Hà", "Sa Pa", "Bảo Thắng", "Văn Bàn",
          "Bảo Yên"}},
        {P_HAGIANG,
         {"Đồng Văn", "Mèo Vạc", "Yên Minh", "Quản Bạ", "Hoàng Su Phì", "Xín Mần", "Vị Xuyên",
          "Bắc Mê"}},
        {P_DIENBIEN,
         {"Mường Nhé", "Nậm Pồ", "Tủa Chùa", "Điện Biên Đông", "Mường Chà", "Mường Ảng",
          "Tuần Giáo"}},
        {P_LAICHAU, {"Sìn Hồ", "Phong Thổ", "Mường Tè", "Tam Đường", "Than Uyên", "Nậm Nhùn"}},
        {P_SONLA,
         {"Mộc Châu", "Sốp Cộp", "Bắc Yên", "Thuận Châu", "Mai Sơn", "Sông Mã", "Phù Yên"}},
        {P_YENBAI, {"Mù Cang Chải", "Trạm Tấu", "Văn Chấn", "Lục Yên", "Văn Yên"}},
        {P_CAOBANG, {"Bảo Lạc", "Hà Quảng", "Trùng Khánh", "Bảo Lâm", "Nguyên Bình"}},
        {P_LANGSON, {"Cao Lộc", "Văn Lãng", "Tràng Định", "Lộc Bình", "Đình Lập"}},
        {P_NAMDINH, {"Hải Hậu", "Giao Thủy", "Xuân Trường", "Nghĩa Hưng", "Trực Ninh"}},
        {P_THAIBINH, {"Tiền Hải", "Thái Thụy", "Quỳnh Phụ", "Hưng Hà", "Kiến Xương"}},
        {P_HAIPHONG, {"Thủy Nguyên", "An Lão", "Kiến Thụy", "Tiên Lãng", "Vĩnh Bảo"}},
        {P_HANOI,
         {"Sóc Sơn", "Đông Anh", "Gia Lâm", "Ba Vì", "Mỹ Đức", "Hoàng Mai", "Long Biên",
          "Thanh Trì"}},
        {P_HCM, {"Bình Chánh", "Củ Chi", "Hóc Môn", "Gò Vấp", "Bình Tân", "Thủ Đức"}}};
static const char *const generic_districts[] = {
        "Tân Lập", "Phú Bình",   "Đông Sơn",   "Vĩnh Lộc", "Thuận Thành", "Yên Hưng",    "Tam Nông",
        "Hòa An",  "Phước Long", "Châu Thành", "Tân Phú",  "Mỹ Xuyên",    "Hưng Nguyên", "Lạc Sơn",
        "Kim Sơn", "An Phú",     "Bình Sơn",   "Hàm Tân",  "Cẩm Thủy",    "Long Phú"};
static const char *const communes[] = {
        "Hưng Lộc",   "Thanh Mỹ",    "Diễn Kim",  "Quang Thành", "Kỳ Phong",  "Nghĩa Hồng",
        "Cẩm Quang",  "Liên Trạch",  "Xuân Hòa",  "Tân Sơn",     "Phú Lợi",   "An Bình",
        "Đông Hải",   "Nam Phong",   "Tây Sơn",   "Bắc Lý",      "Trung Hòa", "Minh Tân",
        "Hồng Phong", "Thạch Kim",   "Mường Lý",  "Nậm Chảy",    "Lũng Cú",   "Sủng Là",
        "Pà Vầy Sủ",  "Bản Phố",     "Tả Van",    "Sín Chéng",   "Y Tý",      "Nà Hỳ",
        "Sen Thượng", "Chiềng Sơn",  "Hua Trai",  "Phìn Hồ",     "Quỳnh Lập", "Sơn Hải",
        "Tiến Thủy",  "Vĩnh Thành",  "Hợp Thành", "Đức Long",    "Cát Văn",   "Hòa Sơn",
        "Mỹ Lộc",     "Thịnh Lộc",   "Kỳ Thịnh",  "Quảng Đông",  "Lộc Yên",   "Hải Triều",
        "Giao Lạc",   "Thụy Trường", "Nam Cường", "Đồng Tâm",    "Tân Thành", "Vĩnh Hòa",
        "Phong Thủy", "Hương Điền",  "Sơn Kim",   "Châu Phong",  "Tân Hiệp",  "Mỹ Phước"};

static const char *const phone_prefix[] = {"32", "33", "34", "35", "36", "37", "38", "39",
                                           "56", "58", "59", "70", "76", "77", "78", "79",
                                           "81", "82", "83", "84", "85", "86", "88", "89",
                                           "90", "91", "93", "94", "96", "97", "98", "99"};
static const uint16_t phone_prefix_w[] = {40, 40, 40, 40, 40, 40, 30, 30, 5,  5,  5,
                                          20, 10, 10, 10, 10, 15, 15, 15, 15, 15, 25,
                                          20, 15, 30, 30, 25, 25, 50, 60, 60, 20};

/* ------------------------------------------------------------------ */
/* Organisations                                                       */
/* ------------------------------------------------------------------ */

enum okind {
	K_BG,
	K_POLICE,
	K_PROC,
	K_COURT,
	K_SPC,
	K_NGO,
	K_HOTLINE,
	K_IO,
	K_EMB,
	K_DOLAB,
	K_COMPANY,
	K_NKIND
};

struct org {
	const char *name, *type, *caseprefix, *recprefix;
	uint8_t kind;
};

/* Made-up names for the NGOs, the international organisation and the
 * labour-export companies; the state bodies are named by their function. */
static const struct org orgs[] = {
        {"Bộ đội Biên phòng tỉnh Lào Cai", "BorderGuard", "BĐBP-LC", "LC-NN", K_BG},
        {"Bộ đội Biên phòng tỉnh Hà Giang", "BorderGuard", "BĐBP-HG", "HG-DT", K_BG},
        {"Bộ đội Biên phòng tỉnh Tây Ninh", "BorderGuard", "BĐBP-TN", "TN-MB", K_BG},
        {"Bộ đội Biên phòng tỉnh Nghệ An", "BorderGuard", "BĐBP-NA", "NA-NC", K_BG},
        {"Công an tỉnh Nghệ An", "Police", "CA-NA", "NA-ĐT", K_POLICE},
        {"Công an tỉnh Hà Tĩnh", "Police", "CA-HT", "HT-ĐT", K_POLICE},
        {"Công an tỉnh Lào Cai", "Police", "CA-LC", "LC-ĐT", K_POLICE},
        {"Công an thành phố Hà Nội", "Police", "CA-HN", "HN-ĐT", K_POLICE},
        {"Viện kiểm sát nhân dân tỉnh Nghệ An", "Procuracy", "VKS-NA", "VKSNA-", K_PROC},
        {"Tòa án nhân dân tỉnh Nghệ An", "Court", "TA-NA", "TANA-", K_COURT},
        {"Trung tâm Công tác xã hội tỉnh Lào Cai", "SocialProtectionCentre", "CTXH-LC", "CTXHLC-",
         K_SPC},
        {"Trung tâm Công tác xã hội Hà Nội", "SocialProtectionCentre", "CTXH-HN", "CTXHHN-", K_SPC},
        {"Tổ chức Bến Bình Yên", "NGO", "BBY", "BBY-", K_NGO},
        {"Mạng lưới Nhịp Cầu Trở Về", "NGO", "NCTV", "NCTV-", K_NGO},
        {"Quỹ Hướng Dương Phương Bắc", "NGO", "HDPB", "HD-", K_NGO},
        {"Đường dây nóng quốc gia phòng chống mua bán người", "Hotline", "ĐDN", "CALL-", K_HOTLINE},
        {"Văn phòng Hỗ trợ Di cư Quốc tế", "InternationalOrganisation", "IMSO-VN", "IMSO-", K_IO},
        {"Đại sứ quán Việt Nam tại Campuchia", "OtherGovernment", "ĐSQ-KH", "DSQKH-", K_EMB},
        {"Cục Quản lý lao động ngoài nước", "OtherGovernment", "QLLĐNN", "LĐNN-", K_DOLAB},
        {"Công ty CP Cung ứng Nhân lực Hoàng Phát", "LabourExportCompany", "HP-XKLĐ", "HP-",
         K_COMPANY},
        {"Công ty TNHH Xuất khẩu Lao động Trường Thịnh", "LabourExportCompany", "TT-HĐ", "TT-",
         K_COMPANY},
        {"Công ty CP Hợp tác Quốc tế Minh Quang", "LabourExportCompany", "MQ", "MQ-LĐ", K_COMPANY}};
#define NORG NELEM(orgs)
enum {
	O_BG_LC,
	O_BG_HG,
	O_BG_TN,
	O_BG_NA,
	O_CA_NA,
	O_CA_HT,
	O_CA_LC,
	O_CA_HN,
	O_VKS,
	O_TA,
	O_SPC_LC,
	O_SPC_HN,
	O_NGO1,
	O_NGO2,
	O_NGO3,
	O_HOTLINE,
	O_IO,
	O_EMB,
	O_DOLAB,
	O_CO1,
	O_CO2,
	O_CO3
};

/* How an organisation writes a person, in permille. */
struct profile {
	uint16_t ascii, upper, swap, nomid, othermid, typo;
	uint16_t bmiss, byear, bmonth, bswap, boff;
	uint16_t idmiss, iderr, phmiss, provmiss, provascii, distmiss, commmiss, gendmiss, ethmiss;
};
static const struct profile profiles[K_NKIND] = {
        /*            asc  up  swp nom oth typ  bm  by bmo bsw bof idm ide phm prm pra dim com gen
           eth */
        [K_BG] = {300, 500, 30, 50,  10,  50,  20,  30,  0,  40,
                  20,  100, 50, 500, 100, 400, 300, 400, 20, 300},
        [K_POLICE] = {50, 100, 20, 30,  10, 30,  30,  20,  0,  20,
                      10, 150, 30, 300, 30, 100, 100, 150, 10, 100},
        [K_PROC] = {20, 50, 10, 10, 5, 15, 10, 5, 0, 10, 5, 50, 20, 500, 10, 50, 50, 80, 5, 100},
        [K_COURT] = {20, 50, 10, 10, 5, 15, 10, 5, 0, 10, 5, 50, 20, 600, 10, 50, 50, 80, 5, 100},
        [K_SPC] = {100, 50,  30, 60,  20, 40,  80,  60,  20, 20,
                   30,  400, 40, 300, 50, 200, 200, 300, 20, 200},
        [K_NGO] = {400, 100, 80, 150, 30,  60,  150, 150, 30, 60,
                   50,  600, 40, 200, 150, 500, 400, 500, 50, 500},
        [K_HOTLINE] = {200, 50,  40, 300, 30,  100, 500, 300, 30, 20,
                       100, 950, 50, 100, 100, 300, 300, 600, 50, 700},
        [K_IO] = {600, 300, 100, 100, 20,  60,  50,  50,  10, 80,
                  30,  200, 40,  300, 200, 700, 500, 700, 20, 600},
        [K_EMB] = {300, 400, 30, 60,  10,  40,  30,  30,  0,  30,
                   20,  100, 40, 400, 150, 400, 400, 500, 20, 700},
        [K_DOLAB] = {300, 300, 20, 40,  10, 30,  20,  20,  0,  30,
                     10,  80,  30, 300, 50, 400, 200, 300, 10, 800},
        [K_COMPANY] = {500, 600, 20, 10,  5,  30,  10, 10,  0,  100,
                       10,  20,  60, 100, 20, 600, 50, 100, 10, 800},
};

/* ------------------------------------------------------------------ */
/* Patterns                                                            */
/* ------------------------------------------------------------------ */

enum pattern {
	PT_SERBIA,
	PT_SAUDI,
	PT_CHINA,
	PT_SCAM_KH,
	PT_SCAM_MM,
	PT_SCAM_LA,
	PT_UK,
	PT_DOMESTIC,
	PT_N
};
/* Per incident; with group sizes this gives roughly, of victims: scam compounds 45%,
 * China 22%, domestic 12%, UK 8%, Serbia 7%, Saudi Arabia 6%. */
static const uint16_t pattern_w[PT_N] = {28, 150, 470, 87, 42, 28, 133, 160};

enum country { C_VN, C_KH, C_MM, C_LA, C_TH, C_CN, C_RS, C_SA, C_GB, C_FR, C_RU, C_TR, C_N };
static const char *const country_code[C_N] = {"VN", "KH", "MM", "LA", "TH", "CN",
                                              "RS", "SA", "GB", "FR", "RU", "TR"};

static const char *const places_kh[] = {"Sihanoukville", "Bavet", "Phnom Penh", "Poipet"};
static const char *const places_mm[] = {"Myawaddy", "KK Park", "Shwe Kokko", "Tachileik"};
static const char *const places_la[] = {"Golden Triangle SEZ", "Bokeo", "Ton Pheung"};
static const char *const places_cn[] = {"Hekou", "Wenshan",      "Nanning", "Zhengzhou", "Jinan",
                                        "Hefei", "Shijiazhuang", "Handan",  "Fuyang"};
static const char *const places_rs[] = {"Zrenjanin", "Novi Sad", "Beograd"};
static const char *const places_sa[] = {"Riyadh", "Jeddah", "Dammam", "Mecca", "Taif"};
static const char *const places_gb[] = {"London", "Birmingham", "Manchester",
                                        "Leeds",  "Glasgow",    "Bristol"};
static const char *const places_vn[] = {"TP Hồ Chí Minh", "Hà Nội",  "Hải Phòng", "Hạ Long",
                                        "Móng Cái",       "Đà Nẵng", "Vũng Tàu"};

/* Control methods, exploitation, recruitment: bit positions index these. */
static const char *const control_code[] = {"PhysicalThreats",
                                           "ThreatsLawEnforcement",
                                           "ThreatensChildrenFamily",
                                           "DebtBondage",
                                           "FalsePromises",
                                           "PhysicalAbuse",
                                           "SexualAbuse",
                                           "TakesEarnings",
                                           "RestrictsFinancialAccess",
                                           "RestrictsMedicalCare",
                                           "WithholdsNecessities",
                                           "PsychologicalAbuse",
                                           "PsychoactiveSubstance",
                                           "ExcessiveWorkingHours",
                                           "WithholdsDocuments",
                                           "Other"};
#define NCONTROL 16
/* Permille chance of each control method, by pattern. */
static const uint16_t control_p[PT_N][NCONTROL] = {
        [PT_SERBIA] = {150, 200, 0, 400, 900, 50, 0, 600, 300, 300, 300, 200, 0, 700, 800, 30},
        [PT_SAUDI] = {300, 100, 50, 200, 700, 400, 200, 500, 400, 400, 500, 500, 0, 800, 900, 30},
        [PT_CHINA] = {400, 200, 300, 100, 600, 400, 500, 0, 300, 200, 200, 600, 50, 100, 500, 100},
        [PT_SCAM_KH] = {700, 300, 300, 800, 900, 600, 100, 500, 400, 300, 300, 500, 50, 900, 900,
                        50},
        [PT_SCAM_MM] = {800, 300, 300, 800, 900, 700, 150, 500, 400, 400, 400, 600, 50, 900, 900,
                        50},
        [PT_SCAM_LA] = {700, 300, 300, 800, 900, 500, 100, 500, 400, 300, 300, 500, 50, 900, 900,
                        50},
        [PT_UK] = {700, 500, 500, 900, 600, 300, 50, 500, 300, 300, 300, 400, 100, 500, 600, 50},
        [PT_DOMESTIC] = {500, 300, 200, 600, 500, 400, 500, 700, 400, 200, 200, 500, 300, 400, 400,
                         50},
};

enum { X_FL, X_SEX, X_CHILD, X_MARR, X_SERV, X_CRIM, X_OTHER, NEXPL };
static const char *const expl_code[NEXPL] = {
        "ForcedLabour", "SexualExploitation", "ChildLabour", "ForcedMarriage",
        "Servitude",    "ForcedCriminality",  "Other"};
static const char *const sex_code[] = {"Prostitution", "Pornography", "RemoteInteractiveServices",
                                       "PrivateSexualServices"};
enum { IND_NONE = -1, IND_A, IND_C, IND_F, IND_I, IND_J, IND_S, IND_T };
static const char *const industry_code[] = {"A_AgricultureForestryAndFishing",
                                            "C_Manufacturing",
                                            "F_Construction",
                                            "I_AccommodationAndFoodServiceActivities",
                                            "J_InformationAndCommunication",
                                            "S_OtherServiceActivities",
                                            "T_ActivitiesOfHouseholdsAsEmployers"};

static const char *const recruit_code[] = {"AtAPlaceOfBusiness",
                                           "AtAnEducationalInstitution",
                                           "AtWork",
                                           "ThroughOnlineSocialNetworks",
                                           "ThroughAnOnlineAdvertisement",
                                           "ThroughATelevisionAdvert",
                                           "ThroughANewspaperAdvert",
                                           "ThroughFamilyOrFamilyEvents",
                                           "ThroughFriendsOrSocialEvents",
                                           "Other"};
#define NRECRUIT 10
static const uint16_t recruit_p[PT_N][NRECRUIT] = {
        [PT_SERBIA] = {600, 0, 50, 200, 300, 20, 50, 100, 400, 20},
        [PT_SAUDI] = {500, 0, 50, 200, 200, 20, 50, 200, 400, 20},
        [PT_CHINA] = {20, 50, 50, 400, 100, 0, 0, 200, 600, 50},
        [PT_SCAM_KH] = {30, 30, 50, 600, 700, 0, 0, 100, 400, 30},
        [PT_SCAM_MM] = {30, 30, 50, 600, 700, 0, 0, 100, 400, 30},
        [PT_SCAM_LA] = {30, 30, 50, 600, 700, 0, 0, 100, 400, 30},
        [PT_UK] = {100, 0, 50, 200, 100, 0, 0, 500, 500, 50},
        [PT_DOMESTIC] = {200, 50, 200, 400, 300, 0, 20, 100, 500, 50},
};
#define RC_ONLINE ((1u << 3) | (1u << 4))

static const char *const app_code[] = {"Facebook", "Zalo",     "Telegram",
                                       "TikTok",   "WhatsApp", "FacebookMessenger",
                                       "Viber",    "WeChat",   "Other"};
#define NAPP 9
static const uint16_t app_p[PT_N][NAPP] = {
        [PT_SERBIA] = {700, 500, 50, 100, 100, 300, 100, 0, 50},
        [PT_SAUDI] = {700, 500, 50, 100, 200, 300, 100, 0, 50},
        [PT_CHINA] = {500, 600, 50, 300, 0, 300, 0, 300, 50},
        [PT_SCAM_KH] = {800, 400, 600, 300, 100, 300, 50, 50, 50},
        [PT_SCAM_MM] = {800, 300, 700, 300, 100, 300, 50, 100, 50},
        [PT_SCAM_LA] = {800, 400, 600, 300, 100, 300, 50, 100, 50},
        [PT_UK] = {700, 300, 100, 100, 300, 500, 200, 0, 50},
        [PT_DOMESTIC] = {700, 600, 200, 400, 0, 300, 0, 0, 50},
};

static const char *const rel_code[] = {"Familial", "Acquainted", "Unaquainted"};
static const uint16_t rel_w[PT_N][3] = {
        [PT_SERBIA] = {50, 400, 550},  [PT_SAUDI] = {100, 400, 500},
        [PT_CHINA] = {150, 600, 250},  [PT_SCAM_KH] = {50, 400, 550},
        [PT_SCAM_MM] = {50, 350, 600}, [PT_SCAM_LA] = {50, 400, 550},
        [PT_UK] = {200, 500, 300},     [PT_DOMESTIC] = {150, 500, 350}};

static const char *const perp_role_code[] = {"RecruiterOrIntermediary",
                                             "Transporter",
                                             "BrokerTravelAgent",
                                             "Exploiter",
                                             "Smuggler",
                                             "Kidnapper",
                                             "Abuser",
                                             "Other"};

enum {
	ST_DENOUNCED,
	ST_VERIFIED,
	ST_INVESTIGATED,
	ST_PROSECUTED,
	ST_TRIED,
	ST_CONVICTED,
	ST_ACQUITTED,
	ST_DISMISSED,
	ST_N
};
static const char *const stage_code[ST_N] = {"Denounced", "Verified",  "Investigated", "Prosecuted",
                                             "Tried",     "Convicted", "Acquitted",    "Dismissed"};

enum { AS_ESS, AS_MED, AS_PSY, AS_LEGAL, AS_EDU, AS_LOAN, AS_N };
static const char *const assist_code[AS_N] = {"EssentialNeedsAndTravel",
                                              "Medical",
                                              "Psychological",
                                              "LegalAid",
                                              "EducationAndVocationalTraining",
                                              "InitialAllowanceAndLoans"};

static const char *const consent_code[] = {"DataProcessing", "ShareWithReferralOrgs",
                                           "ShareIdentity", "ShareForStatistics",
                                           "ContactForFollowUp"};

static const char *const closure_reason[] = {"Nạn nhân đã tái hòa nhập cộng đồng",
                                             "Nạn nhân từ chối tiếp tục hỗ trợ",
                                             "Mất liên lạc với nạn nhân",
                                             "Đã hoàn thành hỗ trợ",
                                             "Đã xét xử xong",
                                             "Đình chỉ điều tra",
                                             "Nạn nhân chuyển nơi cư trú"};

/* ------------------------------------------------------------------ */
/* Output columns                                                      */
/* ------------------------------------------------------------------ */

/* clang-format off */
#define COLUMNS(X)                                                                                 \
	X(ORG, "src_Organisation") X(ORGTYPE, "org_Type") X(CASEID, "src_CaseId")                  \
	X(STATUS, "cas_Status") X(CLOSEREASON, "cas_ReasonForCaseClosure")                         \
	X(OPENED, "ctip_CaseOpenedDate") X(CLOSED, "ctip_CaseClosedDate")                          \
	X(REF_ORG, "cas_ReferredOrganisation") X(REF_DATE, "cas_OutgoingReferralDate")             \
	X(REF_REASON, "cas_ReasonForOutgoingReferral") X(REF_STATUS, "ctip_OutgoingReferralStatus") \
	X(RECID, "src_RecordId") X(ROLE, "ctip_Role") X(FAMILY, "prs_SecondName")                  \
	X(MIDDLE, "prs_MiddleName") X(GIVEN, "prs_FirstName") X(BIRTH, "prs_Birthdate")            \
	X(GENDER, "prs_Gender") X(CITIZEN, "prs_Citizenship") X(ETHNIC, "ctip_Ethnicity")          \
	X(IDTYPE, "ctip_IdentityType") X(IDNUM, "prs_IdentityNumber")                              \
	X(IDISSUE, "ctip_IdentityIssueDate") X(IDEXPIRY, "ctip_IdentityExpiryDate")                \
	X(PHONE, "prs_MobilePhone") X(PROV, "prs_MailingState") X(DISTRICT, "prs_MailingCity")     \
	X(COMMUNE, "ctip_MailingCommune") X(TRSTATUS, "vic_TraffickingStatus")                     \
	X(TRDECORG, "vic_TraffickingStatusDecisionMakingOrg") X(TRDECBY, "ctip_StatusDecidedBy")   \
	X(TRDATE, "ctip_StatusDate") X(CERT, "ctip_CertificateKind")                               \
	X(AGE, "vic_AgeWhenTrafficked") X(RECMETHOD, "vic_MethodOfRecruitment")                    \
	X(APPS, "vic_RecruitmentWebsitesAndApps") X(REL, "vic_RelationshipToTrafficker")           \
	X(RECRUITER, "ctip_Recruiter") X(CONTROL, "vic_MethodsOfControl")                          \
	X(EXPLTYPE, "vic_TypeOfExploitation") X(INDUSTRY, "vic_ForcedLabourIndustry")              \
	X(SEXTYPE, "vic_TypeOfSexExploitation") X(EXCOUNTRY, "ctip_ExploitationCountry")           \
	X(EXPLACE, "ctip_ExploitationPlace") X(EXSTART, "ctip_ExploitationStart")                  \
	X(EXEND, "ctip_ExploitationEnd") X(EVTYPE, "hte_Type") X(EVDATE, "hte_Date")               \
	X(EVCOUNTRY, "hte_Country") X(EVCITY, "hte_City") X(ASKIND, "ctip_AssistanceKind")         \
	X(ASDATE, "ctip_AssistanceDate") X(ASPROV, "ctip_AssistanceProvider")                      \
	X(ASAMOUNT, "ctip_AssistanceAmount") X(CONSENT, "con_Consent")                             \
	X(CONSCOPE, "ctip_ConsentScope") X(CONDATE, "ctip_ConsentDate")                            \
	X(PERROLE, "per_RoleInProcess") X(PRSTAGE, "ctip_ProcStage") X(PRDATE, "ctip_ProcDate")    \
	X(PRART, "ctip_ProcArticle") X(PRSKIND, "ctip_ProcSentenceKind")                           \
	X(PRSMONTHS, "ctip_ProcSentenceMonths")
/* clang-format on */

#define COL_ENUM(e, s) COL_##e,
enum { COLUMNS(COL_ENUM) NCOL };
#define COL_NAME(e, s) s,
static const char *const col_names[NCOL] = {COLUMNS(COL_NAME)};

#define CELLMAX 1024

/* One output row: each cell a `;` list being built. */
struct row {
	char v[NCOL][CELLMAX];
	uint16_t len[NCOL];
	uint8_t items[NCOL];
};

static void cell_clear(struct row *r, int from, int to)
{
	for (int c = from; c < to; c++) {
		r->len[c] = 0;
		r->items[c] = 0;
		r->v[c][0] = 0;
	}
}

/* Appends one item (possibly empty) to the list in cell c. */
static void cadd(struct row *r, int c, const char *s)
{
	size_t n = strlen(s);
	size_t at = r->len[c];
	if (at + n + 2 >= CELLMAX) /* cannot happen with these tables; keep the cell valid */
		n = 0;
	if (r->items[c])
		r->v[c][at++] = ';';
	memcpy(r->v[c] + at, s, n);
	at += n;
	r->v[c][at] = 0;
	r->len[c] = (uint16_t)at;
	r->items[c]++;
}

static void cadd_date(struct row *r, int c, int32_t day, int prec)
{
	char b[16];
	fmt_date(b, day, prec);
	cadd(r, c, b);
}

static void cadd_uint(struct row *r, int c, unsigned long v)
{
	char b[24], t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int i = 0; i < n; i++)
		b[i] = t[n - 1 - i];
	b[n] = 0;
	cadd(r, c, b);
}

static void cadd_mask(struct row *r, int c, uint32_t mask, const char *const *codes, int n)
{
	for (int i = 0; i < n; i++)
		if (mask & (1u << i))
			cadd(r, c, codes[i]);
}

static void row_write(FILE *out, const struct row *r)
{
	for (int c = 0; c < NCOL; c++) {
		/* A list of only empty items (e.g. no amount known) is written as an
		 * empty cell: unknown for the whole group column. */
		const char *s = r->v[c];
		if (s[0] == ';' && !s[strspn(s, ";")])
			s = NULL;
		ctip_csv_field(out, r->len[c] ? s : NULL, c == 0);
	}
	ctip_csv_eol(out);
}

/* ------------------------------------------------------------------ */
/* People                                                              */
/* ------------------------------------------------------------------ */

enum { NS_KINH, NS_HMONG, NS_THAI, NS_DAO, NS_TAY, NS_MUONG, NS_KHMER, NS_HOA, NS_CN };

struct person {
	uint32_t pid; /* 0 until first written */
	uint8_t female, eth, prov, district, commune, ns;
	uint16_t fam, mid, giv;
	int32_t birth;
	char citizen[3];
	char cccd[13], cmnd[10], pass[9];
	int32_t cccd_iss, cccd_exp, cmnd_iss, cmnd_exp, pass_iss, pass_exp;
	char phone[11]; /* "0" + 9 digits, "" when none */
};

static const struct wname *ns_fam(int ns, int *n)
{
	switch (ns) {
	case NS_HMONG: *n = NELEM(fam_hmong); return fam_hmong;
	case NS_THAI: *n = NELEM(fam_thai); return fam_thai;
	case NS_DAO: *n = NELEM(fam_dao); return fam_dao;
	case NS_TAY: *n = NELEM(fam_tay); return fam_tay;
	case NS_MUONG: *n = NELEM(fam_muong); return fam_muong;
	case NS_KHMER: *n = NELEM(fam_khmer); return fam_khmer;
	case NS_HOA: *n = NELEM(fam_hoa); return fam_hoa;
	case NS_CN: *n = NELEM(fam_cn); return fam_cn;
	default: *n = NELEM(fam_kinh); return fam_kinh;
	}
}

static const struct wname *ns_mid(int ns, int female, int *n)
{
	if (ns == NS_CN) {
		*n = NELEM(mid_none);
		return mid_none;
	}
	if (ns == NS_HMONG || ns == NS_DAO) {
		*n = female ? NELEM(mid_hm_f) : NELEM(mid_hm_m);
		return female ? mid_hm_f : mid_hm_m;
	}
	*n = female ? NELEM(mid_f) : NELEM(mid_m);
	return female ? mid_f : mid_m;
}

static const char *const *ns_giv(int ns, int female, int *n)
{
	if (ns == NS_CN) {
		*n = female ? NELEM(giv_cn_f) : NELEM(giv_cn_m);
		return female ? giv_cn_f : giv_cn_m;
	}
	if (ns == NS_HMONG || ns == NS_DAO) {
		*n = female ? NELEM(giv_hm_f) : NELEM(giv_hm_m);
		return female ? giv_hm_f : giv_hm_m;
	}
	*n = female ? NELEM(giv_f) : NELEM(giv_m);
	return female ? giv_f : giv_m;
}

static int pick_wname(struct rng *r, const struct wname *t, int n)
{
	uint32_t tot = 0;
	for (int i = 0; i < n; i++)
		tot += t[i].w;
	uint32_t x = rnd(r, tot);
	for (int i = 0; i < n; i++) {
		if (x < t[i].w)
			return i;
		x -= t[i].w;
	}
	return n - 1;
}

static int ndistricts(int prov, const char *const **list)
{
	for (int i = 0; i < NELEM(districts); i++)
		if (districts[i].prov == prov) {
			int n = 0;
			while (n < 10 && districts[i].d[n])
				n++;
			*list = districts[i].d;
			return n;
		}
	*list = generic_districts;
	return NELEM(generic_districts);
}

static void random_digits(struct rng *r, char *p, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (char)('0' + rnd(r, 10));
	p[n] = 0;
}

/* Identity documents and phone of a Vietnamese person, given sex, birth,
 * province. `passport`: permille chance of holding a passport at `when`. */
static void person_docs(struct rng *r, struct person *p, int32_t when, unsigned passport)
{
	static const int32_t cap_day = 20270; /* 2025-07-01 */
	int by = year_of(p->birth);
	p->cccd[0] = p->cmnd[0] = p->pass[0] = 0;
	if (when > cap_day - 1)
		when = cap_day - 1;
	/* CMND: the old 9-digit card, issued at 14-25 until it gave way to the
	 * CCCD in 2021, so only to people born before 2007. */
	int32_t cmnd_last = ymd(2021, 6, 30);
	if (when < cmnd_last)
		cmnd_last = when;
	if (add_years(p->birth, 14) < cmnd_last && chance(r, 750)) {
		/* one draw per statement: C leaves the order of operands unspecified */
		int32_t iss = add_years(p->birth, rrange(r, 14, 25));
		iss += rrange(r, 0, 300);
		if (iss < ymd(1995, 1, 1))
			iss = ymd(1995, 1, 1) + rrange(r, 0, 2000);
		if (iss > cmnd_last)
			iss = rrange(r, add_years(p->birth, 14), cmnd_last);
		random_digits(r, p->cmnd, 9);
		p->cmnd[0] = (char)('0' + rnd(r, 3));
		p->cmnd_iss = iss;
		p->cmnd_exp = add_years(iss, 15);
	}
	/* CCCD: the 12-digit citizen card (from 2016), province + sex/century +
	 * year of birth + 6 random digits. */
	int32_t first = ymd(2016, 1, 1);
	int32_t at14 = add_years(p->birth, 14);
	if (at14 > first)
		first = at14;
	if (first < ymd(2024, 12, 1) && chance(r, p->cmnd[0] ? 650 : 900)) {
		int32_t iss = rrange(r, first, ymd(2024, 12, 31));
		if (iss >= cap_day)
			iss = cap_day - 1;
		unsigned code = provs[p->prov].code;
		p->cccd[0] = '0';
		p->cccd[1] = (char)('0' + code / 10);
		p->cccd[2] = (char)('0' + code % 10);
		p->cccd[3] = (char)('0' + (by >= 2000 ? 2 : 0) + p->female);
		p->cccd[4] = (char)('0' + (by / 10) % 10);
		p->cccd[5] = (char)('0' + by % 10);
		random_digits(r, p->cccd + 6, 6);
		p->cccd_iss = iss;
		/* Valid until the 25th, 40th or 60th birthday, whichever comes
		 * after two years of use; cards issued after 58 are for life (we
		 * write 15 years). */
		static const int ages[] = {25, 40, 60};
		p->cccd_exp = add_years(iss, 15);
		for (int i = 0; i < 3; i++) {
			int32_t e = add_years(p->birth, ages[i]);
			if (e > add_years(iss, 2)) {
				p->cccd_exp = e;
				break;
			}
		}
	}
	if (chance(r, passport)) {
		static const char series[] = "CCCCCCNNNBBKP";
		int32_t iss = when - rrange(r, 20, 700);
		if (iss < add_years(p->birth, 14)) /* a child's passport */
			iss = rrange(r, add_years(p->birth, 6), when - 1);
		p->pass[0] = series[rnd(r, sizeof series - 1)];
		random_digits(r, p->pass + 1, 7);
		p->pass_iss = iss;
		p->pass_exp = add_years(iss, 10) - 1;
	}
	if (chance(r, 880)) {
		const char *pre = phone_prefix[pickw(r, phone_prefix_w, NELEM(phone_prefix_w))];
		p->phone[0] = '0';
		p->phone[1] = pre[0];
		p->phone[2] = pre[1];
		random_digits(r, p->phone + 3, 7);
	} else {
		p->phone[0] = 0;
	}
}

static int pick_prov_region(struct rng *r, const int *list, const uint16_t *w, int n)
{
	return list[pickw(r, w, n)];
}

static int general_prov(struct rng *r)
{
	uint16_t w[NPROV];
	for (int i = 0; i < NPROV; i++)
		w[i] = provs[i].w;
	return pickw(r, w, NPROV);
}

/* Home province of a victim of the pattern. */
static int pattern_prov(struct rng *r, int pt)
{
	static const int north[] = {P_LAOCAI, P_HAGIANG,  P_DIENBIEN,  P_LAICHAU,
	                            P_SONLA,  P_YENBAI,   P_CAOBANG,   P_LANGSON,
	                            P_NGHEAN, P_THANHHOA, P_TUYENQUANG};
	static const uint16_t north_w[] = {30, 30, 25, 15, 20, 10, 12, 12, 10, 5, 5};
	static const int central[] = {P_NGHEAN,  P_HATINH,   P_QUANGBINH, P_THANHHOA, P_HAIPHONG,
	                              P_NAMDINH, P_THAIBINH, P_LAOCAI,    P_HANOI};
	static const uint16_t serbia_w[] = {50, 40, 10, 10, 0, 3, 2, 0, 2};
	static const uint16_t saudi_w[] = {30, 25, 8, 20, 3, 3, 3, 5, 5};
	static const uint16_t uk_w[] = {40, 30, 15, 5, 10, 3, 3, 0, 3};
	if (chance(r, 100))
		return general_prov(r);
	switch (pt) {
	case PT_CHINA: return pick_prov_region(r, north, north_w, NELEM(north));
	case PT_SERBIA: return pick_prov_region(r, central, serbia_w, NELEM(central));
	case PT_SAUDI: return pick_prov_region(r, central, saudi_w, NELEM(central));
	case PT_UK: return pick_prov_region(r, central, uk_w, NELEM(central));
	default: return general_prov(r);
	}
}

/* A new Vietnamese person (or Chinese when ns == NS_CN). */
static void person_new(struct rng *r, struct person *p, int female, int32_t birth, int prov,
                       int32_t when, unsigned passport, int chinese)
{
	memset(p, 0, sizeof *p);
	p->female = (uint8_t)female;
	p->birth = birth;
	p->prov = (uint8_t)prov;
	const uint16_t *ew = provs[prov].region == R_NORTH      ? eth_w_north
	                     : provs[prov].region == R_NCENTRAL ? eth_w_ncentral
	                     : provs[prov].region == R_SOUTH    ? eth_w_south
	                                                        : eth_w_other;
	p->eth = (uint8_t)pickw(r, ew, E_NETH);
	static const uint8_t eth_ns[E_NETH] = {NS_KINH,  NS_HMONG, NS_THAI,  NS_TAY, NS_DAO,
	                                       NS_MUONG, NS_TAY,   NS_KHMER, NS_HOA};
	p->ns = chinese ? NS_CN : eth_ns[p->eth];
	memcpy(p->citizen, chinese ? "CN" : "VN", 3);
	int n;
	const struct wname *ft = ns_fam(p->ns, &n);
	p->fam = (uint16_t)pick_wname(r, ft, n);
	const struct wname *mt = ns_mid(p->ns, female, &n);
	p->mid = (uint16_t)pick_wname(r, mt, n);
	ns_giv(p->ns, female, &n);
	p->giv = (uint16_t)pick_zipf(r, n);
	const char *const *dl;
	p->district = (uint8_t)rnd(r, (uint32_t)ndistricts(prov, &dl));
	p->commune = (uint8_t)rnd(r, NELEM(communes));
	if (chinese) {
		p->phone[0] = 0;
		if (chance(r, 500)) {
			p->pass[0] = 'E';
			random_digits(r, p->pass + 1, 7);
			p->pass_iss = when - rrange(r, 100, 2000);
			p->pass_exp = add_years(p->pass_iss, 10) - 1;
		}
		return;
	}
	person_docs(r, p, when, passport);
}

/* ------------------------------------------------------------------ */
/* Incidents                                                           */
/* ------------------------------------------------------------------ */

#define MAXV    24
#define MAXP    4
#define MAXO    4
#define MAXCASE 16
#define MAXEV   6

struct event {
	uint8_t type, country;
	int32_t date;
	const char *city;
};

struct victim {
	struct person p;
	int32_t recruited;
	uint32_t recruit, apps, control, expl, sex;
	int8_t industry, rel;
	int nev;
	struct event ev[MAXEV];
	uint32_t caught; /* bit per case of the incident */
	int retraffic;   /* scheduled for a second incident */
};

struct perp {
	struct person p;
	int pool; /* index in the pool, -1 if new */
	uint32_t roles;
	int final; /* last proceedings stage reached */
	int32_t sd[ST_N];
	int article;
	int skind; /* 0 none, 1 imprisonment, 2 suspended, 3 life */
	int months;
	uint32_t caught;
};

struct other {
	struct person p;
	int role; /* 2 witness, 3 family member */
	int ci;   /* the case recording them */
};

struct icase {
	int org;
	int32_t opened;
};

struct incident {
	int pt;
	int country;
	const char *place;
	int32_t recruited, start, end, ret;
	int police, bg, spc, ngo, company;
	int nv, np, no, nc;
	struct victim v[MAXV];
	struct perp p[MAXP];
	struct other o[MAXO];
	struct icase c[MAXCASE];
	int under16;
};

#define POOL  4096
#define QUEUE 1024

struct pooled {
	struct person p;
	int pt, used;
};

struct queued {
	struct person p;
	int32_t after;
};

/* The record map: (person, organisation) -> record number at that org. */
struct recmap {
	uint64_t *keys; /* 0 = empty */
	uint32_t *vals;
	size_t cap, n;
};

struct gen {
	struct rng r;
	uint64_t seed;
	FILE *out, *truth;
	long rows, target;
	uint32_t next_pid;
	uint32_t recno[NORG];
	uint32_t caseno[NORG][16]; /* by year - 2014 */
	struct recmap map;
	struct pooled pool[POOL];
	int npool;
	struct queued queue[QUEUE];
	int qhead, qlen;
	struct incident inc;
	struct row row;
	int oom;
	const struct ctip_demo_opts *o; /* the data-quality rates that replace the profiles' */
	struct {
		uint8_t ns, female;
		uint16_t fam, mid, giv;
	} names[4096]; /* the names of recent persons, for namesakes */
	uint32_t nnames;
};

static const int32_t DAY_CAP = 20269; /* 2025-06-30 */

/* ---- data quality (`--quality`, the knobs) ---- */

const char *const ctip_demo_dq_name[CTIP_DQ_N] = {
        "missing-birth", "partial-birth", "missing-province", "address-below-province",
        "docs",          "phones",        "expl-dates",       "no-diacritics",
        "capitals",      "typos",         "swap-order",       "drop-middle",
        "namesakes"};

/* Per mille, in the order of CTIP_DQ_*. "good": a registry that checks documents; "poor":
 * the plain data of issue 12 (birth date missing in 15 %, year only in 20 %, province
 * missing in 20 %, nothing below the province, no exploitation dates, documents on fewer
 * than half the records, phones on about a third, names folded or in capitals, typos,
 * dropped middle names, swapped order). */
static const unsigned short dq_good[CTIP_DQ_N] = {10, 20, 10, 950, 900, 900, 990,
                                                  50, 50, 10, 10,  20,  0};
static const unsigned short dq_poor[CTIP_DQ_N] = {150, 200, 200, 0,   280, 380, 0,
                                                  500, 300, 50,  100, 250, 20};

int ctip_demo_quality(struct ctip_demo_opts *o, const char *profile)
{
	const unsigned short *v = NULL;
	if (!strcmp(profile, "good"))
		v = dq_good;
	else if (!strcmp(profile, "poor"))
		v = dq_poor;
	else if (strcmp(profile, "typical"))
		return -1;
	for (int i = 0; i < CTIP_DQ_N; i++) {
		o->dq_set[i] = v != NULL;
		o->dq[i] = v ? v[i] : 0;
	}
	return 0;
}

/* The rate k if set, else the organisation's own. */
static unsigned dq(const struct gen *g, int k, unsigned own)
{
	return g->o->dq_set[k] ? g->o->dq[k] : own;
}

/* The complement (a "present" rate as the profiles' "missing" one). */
static unsigned dq_not(const struct gen *g, int k, unsigned own_missing)
{
	return g->o->dq_set[k] ? 1000u - g->o->dq[k] : own_missing;
}

/* A new person: remembered, and (--namesakes) given the full name of an earlier one of the
 * same naming system and sex. Draws nothing unless the rate is set. */
static void namesake(struct gen *g, struct person *p)
{
	if (g->o->dq_set[CTIP_DQ_NAMESAKES] && g->nnames &&
	    chance(&g->r, g->o->dq[CTIP_DQ_NAMESAKES])) {
		uint32_t n = g->nnames < NELEM(g->names) ? g->nnames : (uint32_t)NELEM(g->names);
		uint32_t i = rnd(&g->r, n);
		if (g->names[i].ns == p->ns && g->names[i].female == p->female) {
			p->fam = g->names[i].fam;
			p->mid = g->names[i].mid;
			p->giv = g->names[i].giv;
		}
	}
	uint32_t j = g->nnames++ % NELEM(g->names);
	g->names[j].ns = p->ns;
	g->names[j].female = p->female;
	g->names[j].fam = p->fam;
	g->names[j].mid = p->mid;
	g->names[j].giv = p->giv;
}

static int recmap_grow(struct recmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1u << 16;
	uint64_t *nk = calloc(ncap, sizeof *nk);
	uint32_t *nv = calloc(ncap, sizeof *nv);
	if (!nk || !nv) {
		free(nk);
		free(nv);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t h = (size_t)((m->keys[i] * 0x9E3779B97F4A7C15ull) >> 20) & (ncap - 1);
		while (nk[h])
			h = (h + 1) & (ncap - 1);
		nk[h] = m->keys[i];
		nv[h] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
	return 0;
}

/* The record number of person pid at org; *isnew says it was just made. */
static uint32_t record_of(struct gen *g, uint32_t pid, int org, int *isnew)
{
	struct recmap *m = &g->map;
	*isnew = 0;
	if ((m->n + 1) * 2 > m->cap && recmap_grow(m)) {
		g->oom = 1;
		return 0;
	}
	uint64_t key = ((uint64_t)pid << 8) | (uint64_t)(org + 1);
	size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (m->cap - 1);
	while (m->keys[h]) {
		if (m->keys[h] == key)
			return m->vals[h];
		h = (h + 1) & (m->cap - 1);
	}
	m->keys[h] = key;
	m->vals[h] = ++g->recno[org];
	m->n++;
	*isnew = 1;
	return m->vals[h];
}

/* Opening date of the case an organisation of kind k opens for incident I. */
static int32_t open_date(struct gen *g, const struct incident *I, int kind)
{
	struct rng *r = &g->r;
	switch (kind) {
	case K_BG: return I->ret;
	case K_SPC: return I->ret + rrange(r, 0, 20);
	case K_POLICE:
		if (I->pt == PT_DOMESTIC)
			return I->end;
		return I->ret + rrange(r, 1, 120);
	case K_NGO:
		if (chance(r, 250) && I->end > I->start + 30) /* contacted while abroad */
			return I->start + rrange(r, 10, I->end - I->start);
		return I->ret + rrange(r, 0, 200);
	case K_HOTLINE:
		if (chance(r, 500) && I->end > I->start + 10)
			return I->start + rrange(r, 5, I->end - I->start);
		return I->ret + rrange(r, 0, 90);
	case K_IO: return I->end + rrange(r, 0, 30);
	case K_EMB: return I->end + rrange(r, 0, 15);
	case K_DOLAB:
		if (chance(r, 500))
			return I->start + rrange(r, 10, I->end - I->start + 10);
		return I->ret + rrange(r, 0, 60);
	case K_COMPANY: return I->recruited - rrange(r, 20, 150);
	default: return I->ret;
	}
}

static int police_for(int prov)
{
	if (provs[prov].region == R_NORTH)
		return O_CA_LC;
	if (prov == P_NGHEAN || prov == P_THANHHOA)
		return O_CA_NA;
	if (prov == P_HATINH || prov == P_QUANGBINH)
		return O_CA_HT;
	return O_CA_HN;
}

/* Capture slots: which organisations record a victim, in permille. */
enum { S_BG, S_POLICE, S_SPC, S_NGO, S_HOTLINE, S_IO, S_EMB, S_DOLAB, S_COMPANY, S_N };
static const uint16_t capture_p[PT_N][S_N] = {
        /*              BG  POL  SPC  NGO  HOT  IO  EMB DOLAB CO */
        [PT_SERBIA] = {0, 150, 50, 450, 80, 300, 0, 250, 400},
        [PT_SAUDI] = {0, 150, 100, 400, 200, 100, 0, 300, 300},
        [PT_CHINA] = {450, 450, 350, 200, 150, 0, 0, 0, 0},
        [PT_SCAM_KH] = {650, 300, 200, 150, 150, 100, 250, 0, 0},
        [PT_SCAM_MM] = {0, 350, 150, 200, 200, 450, 0, 0, 0},
        [PT_SCAM_LA] = {500, 300, 100, 150, 150, 100, 0, 0, 0},
        [PT_UK] = {0, 400, 150, 400, 100, 300, 0, 0, 0},
        [PT_DOMESTIC] = {0, 600, 300, 250, 200, 0, 0, 0, 0},
};

struct timeline {
	int y0, y1, transit0, transit1, expl0, expl1, ret0, ret1;
};
static const struct timeline timelines[PT_N] = {
        [PT_SERBIA] = {2019, 2022, 2, 30, 60, 600, 5, 120},
        [PT_SAUDI] = {2015, 2024, 1, 20, 60, 900, 10, 200},
        [PT_CHINA] = {2015, 2025, 1, 14, 30, 2500, 1, 30},
        [PT_SCAM_KH] = {2019, 2025, 1, 10, 20, 500, 1, 20},
        [PT_SCAM_MM] = {2021, 2025, 3, 20, 30, 500, 10, 90},
        [PT_SCAM_LA] = {2020, 2025, 1, 10, 30, 500, 1, 30},
        [PT_UK] = {2015, 2024, 30, 300, 60, 1200, 10, 180},
        [PT_DOMESTIC] = {2015, 2025, 0, 5, 10, 400, 0, 10},
};

static const char *pick_place(struct rng *r, int country)
{
	switch (country) {
	case C_KH: return places_kh[rnd(r, NELEM(places_kh))];
	case C_MM: return places_mm[rnd(r, NELEM(places_mm))];
	case C_LA: return places_la[rnd(r, NELEM(places_la))];
	case C_CN: return places_cn[rnd(r, NELEM(places_cn))];
	case C_RS: return places_rs[rnd(r, NELEM(places_rs))];
	case C_SA: return places_sa[rnd(r, NELEM(places_sa))];
	case C_GB: return places_gb[rnd(r, NELEM(places_gb))];
	default: return places_vn[rnd(r, NELEM(places_vn))];
	}
}

static const char *district_name(const struct person *p)
{
	const char *const *dl;
	int n = ndistricts(p->prov, &dl);
	return dl[p->district % n];
}

/* Victim profile: sex (1 = female) and age range at recruitment. */
static void victim_profile(struct rng *r, int pt, int *female, int *a0, int *a1)
{
	switch (pt) {
	case PT_SERBIA:
		*female = chance(r, 30);
		*a0 = 20;
		*a1 = 45;
		break;
	case PT_SAUDI:
		*female = 1;
		*a0 = 20;
		*a1 = 40;
		break;
	case PT_CHINA:
		*female = !chance(r, 20);
		*a0 = 14;
		*a1 = 25;
		break;
	case PT_UK:
		*female = chance(r, 150);
		*a0 = 15;
		*a1 = 25;
		break;
	case PT_DOMESTIC:
		*female = !chance(r, 50);
		*a0 = 15;
		*a1 = 30;
		break;
	default:
		*female = chance(r, 400);
		*a0 = 18;
		*a1 = 35;
		break;
	}
}

static uint32_t draw_mask(struct rng *r, const uint16_t *p, int n)
{
	uint32_t m = 0;
	for (int i = 0; i < n; i++)
		if (p[i] && chance(r, p[i]))
			m |= 1u << i;
	return m;
}

static int32_t birth_for_age(struct rng *r, int32_t when, int age)
{
	/* born between age+1 years and age years before `when` */
	int32_t hi = add_years(when, -age);
	int32_t lo = add_years(when, -age - 1) + 1;
	return rrange(r, lo, hi);
}

static void victim_context(struct gen *g, struct incident *I, struct victim *v)
{
	struct rng *r = &g->r;
	int pt = I->pt;
	v->recruit = draw_mask(r, recruit_p[pt], NRECRUIT);
	if (!v->recruit)
		v->recruit = 1u << 8;
	v->apps = (v->recruit & RC_ONLINE) ? draw_mask(r, app_p[pt], NAPP) : 0;
	if ((v->recruit & RC_ONLINE) && !v->apps)
		v->apps = 1;
	v->rel = (int8_t)pickw(r, rel_w[pt], 3);
	v->control = draw_mask(r, control_p[pt], NCONTROL);
	if (!v->control)
		v->control = 1u << 4;
	int age = years_between(v->p.birth, v->recruited);
	v->industry = IND_NONE;
	v->sex = 0;
	uint32_t x = 0;
	switch (pt) {
	case PT_SERBIA:
		x = 1u << X_FL;
		if (chance(r, 100))
			x |= 1u << X_SERV;
		v->industry = IND_F;
		break;
	case PT_SAUDI:
		x = 1u << X_FL;
		if (chance(r, 300))
			x |= 1u << X_SERV;
		if (chance(r, 100)) {
			x |= 1u << X_SEX;
			v->sex = 1u << 3;
		}
		v->industry = IND_T;
		break;
	case PT_CHINA:
		x = 1u << X_MARR;
		if (chance(r, 300)) {
			x |= 1u << X_SEX;
			v->sex = chance(r, 500) ? 1u << 3 : 1u << 0;
		}
		if (chance(r, 150)) {
			x |= 1u << X_FL;
			v->industry = IND_A;
		}
		if (age < 16 && chance(r, 200))
			x |= 1u << X_CHILD;
		break;
	case PT_SCAM_KH:
	case PT_SCAM_MM:
	case PT_SCAM_LA:
		x = 1u << X_CRIM;
		if (chance(r, 600)) {
			x |= 1u << X_FL;
			v->industry = IND_J;
		}
		if (v->p.female && chance(r, 120)) {
			x |= 1u << X_SEX;
			v->sex = chance(r, 500) ? 1u << 0 : 1u << 2;
		}
		break;
	case PT_UK:
		if (chance(r, 700)) {
			x = 1u << X_CRIM;
			if (chance(r, 500)) {
				x |= 1u << X_FL;
				v->industry = IND_A;
			}
		} else {
			x = 1u << X_FL;
			v->industry = IND_S;
		}
		if (age < 18 && chance(r, 300))
			x |= 1u << X_CHILD;
		break;
	default:
		x = 1u << X_SEX;
		v->sex = chance(r, 800) ? 1u << 0 : chance(r, 500) ? 1u << 1 : 1u << 2;
		if (chance(r, 80)) {
			x |= 1u << X_FL;
			v->industry = IND_I;
		}
		break;
	}
	v->expl = x;

	/* Events: recruitment at home, transit, exploitation, exit, return. */
	int n = 0;
	v->ev[n++] = (struct event){0, C_VN, v->recruited, district_name(&v->p)};
	int32_t transit = v->recruited + (I->start - v->recruited) / 2;
	switch (pt) {
	case PT_SCAM_KH:
		v->ev[n++] =
		        (struct event){1, C_VN, transit, chance(r, 600) ? "Mộc Bài" : "Tịnh Biên"};
		break;
	case PT_SCAM_MM: v->ev[n++] = (struct event){1, C_TH, transit, "Mae Sot"}; break;
	case PT_SCAM_LA: v->ev[n++] = (struct event){1, C_VN, transit, "Nậm Cắn"}; break;
	case PT_CHINA:
		v->ev[n++] =
		        (struct event){1, C_VN, transit, chance(r, 500) ? "Lào Cai" : "Móng Cái"};
		break;
	case PT_UK:
		v->ev[n++] = (struct event){1, C_RU, v->recruited + (I->start - v->recruited) / 3,
		                            "Moskva"};
		v->ev[n++] = (struct event){
		        1, C_FR, v->recruited + 2 * (I->start - v->recruited) / 3, "Calais"};
		break;
	case PT_SERBIA:
		if (chance(r, 300))
			v->ev[n++] = (struct event){1, C_TR, transit, "Istanbul"};
		break;
	default: break;
	}
	v->ev[n++] = (struct event){2, (uint8_t)I->country, I->start, I->place};
	v->ev[n++] = (struct event){3, (uint8_t)I->country, I->end, I->place};
	if (I->country != C_VN) {
		const char *back = I->country == C_KH   ? "Mộc Bài"
		                   : I->country == C_LA ? "Nậm Cắn"
		                   : I->country == C_CN
		                           ? (chance(r, 500) ? "Lào Cai" : "Thanh Thủy")
		                   : chance(r, 700) ? "Nội Bài"
		                                    : "Tân Sơn Nhất";
		v->ev[n++] = (struct event){4, C_VN, I->ret, back};
	}
	v->nev = n;
}

static int add_case(struct incident *I, int org, int32_t opened)
{
	for (int i = 0; i < I->nc; i++)
		if (I->c[i].org == org)
			return i;
	if (I->nc >= MAXCASE || opened > DAY_CAP || opened < ymd(2014, 6, 1))
		return -1;
	I->c[I->nc] = (struct icase){org, opened};
	return I->nc++;
}

static int compatible_pattern(struct rng *r, const struct person *p, int32_t when)
{
	int age = years_between(p->birth, when);
	if (p->female) {
		static const uint16_t w[] = {0, 20, 30, 40, 20, 15, 0, 20};
		uint16_t ww[PT_N];
		memcpy(ww, w, sizeof ww);
		if (age > 25)
			ww[PT_CHINA] = 0;
		if (age > 40)
			ww[PT_SAUDI] = 0;
		return pickw(r, ww, PT_N);
	}
	static const uint16_t w[] = {10, 0, 0, 40, 20, 15, 20, 0};
	uint16_t ww[PT_N];
	memcpy(ww, w, sizeof ww);
	if (age > 25)
		ww[PT_UK] = 0;
	if (age > 45)
		ww[PT_SERBIA] = 0;
	return pickw(r, ww, PT_N);
}

/* Builds the next incident into g->inc. */
static void incident_build(struct gen *g)
{
	struct rng *r = &g->r;
	struct incident *I = &g->inc;
	memset(I, 0, offsetof(struct incident, v));
	I->nv = I->np = I->no = I->nc = 0;
	I->under16 = 0;

	/* A victim trafficked again, or a new incident. */
	struct queued *q = NULL;
	if (g->qlen && chance(r, 500)) {
		q = &g->queue[g->qhead];
		g->qhead = (g->qhead + 1) % QUEUE;
		g->qlen--;
		I->pt = compatible_pattern(r, &q->p, q->after);
	} else {
		I->pt = pickw(r, pattern_w, PT_N);
	}
	int pt = I->pt;
	const struct timeline *tl = &timelines[pt];

	switch (pt) {
	case PT_SERBIA: I->country = C_RS; break;
	case PT_SAUDI: I->country = C_SA; break;
	case PT_CHINA: I->country = C_CN; break;
	case PT_SCAM_KH: I->country = C_KH; break;
	case PT_SCAM_MM: I->country = C_MM; break;
	case PT_SCAM_LA: I->country = C_LA; break;
	case PT_UK: I->country = C_GB; break;
	default: I->country = C_VN; break;
	}
	I->place = pick_place(r, I->country);
	if (q) {
		I->recruited = q->after;
	} else {
		/* Scam compounds peak in 2022-2024. */
		int y = rrange(r, tl->y0, tl->y1);
		if (pt >= PT_SCAM_KH && pt <= PT_SCAM_LA && chance(r, 500))
			y = rrange(r, 2022, 2024);
		I->recruited = ymd(y, 1, 1) + rrange(r, 0, 364);
	}
	I->start = I->recruited + rrange(r, tl->transit0, tl->transit1);
	I->end = I->start + rrange(r, tl->expl0, tl->expl1);
	I->ret = I->end + rrange(r, tl->ret0, tl->ret1);
	if (I->ret > DAY_CAP - 30 && !q) {
		int32_t shift = I->ret - (DAY_CAP - rrange(r, 30, 300));
		I->recruited -= shift;
		I->start -= shift;
		I->end -= shift;
		I->ret -= shift;
	}
	if (q && I->ret > DAY_CAP - 10) {
		/* Trafficked again lately: the story ends by the cap date. */
		int32_t span = DAY_CAP - 10 - I->recruited;
		if (span < 40)
			span = 40; /* the queue only holds returns well before the cap */
		I->start = I->recruited + span / 10;
		I->end = I->recruited + span * 8 / 10;
		I->ret = I->recruited + span * 9 / 10;
	}

	/* Victims. */
	int nv;
	switch (pt) {
	case PT_SERBIA: nv = rrange(r, 3, 12); break;
	case PT_SAUDI: nv = chance(r, 800) ? 1 : 2; break;
	case PT_CHINA: nv = chance(r, 700) ? 1 : rrange(r, 2, 3); break;
	case PT_SCAM_KH:
	case PT_SCAM_MM:
	case PT_SCAM_LA: nv = chance(r, 300) ? rrange(r, 1, 3) : rrange(r, 3, 20); break;
	case PT_UK: nv = chance(r, 600) ? 1 : rrange(r, 2, 4); break;
	default: nv = chance(r, 500) ? 1 : rrange(r, 2, 5); break;
	}
	int group_prov = pattern_prov(r, pt);
	unsigned passport = pt == PT_SERBIA || pt == PT_SAUDI ? 1000
	                    : pt == PT_UK                     ? 400
	                    : pt == PT_CHINA                  ? 80
	                    : pt == PT_DOMESTIC               ? 30
	                                                      : 500;
	for (int i = 0; i < nv; i++) {
		struct victim *v = &I->v[I->nv++];
		memset(v, 0, sizeof *v);
		v->recruited = I->recruited + (i ? rrange(r, 0, 30) : 0);
		if (v->recruited >= I->start)
			v->recruited = I->start - 1;
		if (i == 0 && q) {
			v->p = q->p;
		} else {
			int female, a0, a1;
			victim_profile(r, pt, &female, &a0, &a1);
			int age = rrange(r, a0, a1);
			if (pt == PT_CHINA && age < 16 && chance(r, 500))
				age += 2;
			/* group members often come from the same province */
			int prov = chance(r, 600) ? group_prov : pattern_prov(r, pt);
			person_new(r, &v->p, female, birth_for_age(r, v->recruited, age), prov,
			           v->recruited, passport, 0);
			namesake(g, &v->p);
			if (pt == PT_SERBIA || pt == PT_SAUDI) /* sent abroad legally */
				if (!v->p.pass[0]) {
					v->p.pass[0] = 'C';
					random_digits(r, v->p.pass + 1, 7);
					v->p.pass_iss = v->recruited - rrange(r, 30, 300);
					v->p.pass_exp = add_years(v->p.pass_iss, 10) - 1;
				}
		}
		if (years_between(v->p.birth, v->recruited) < 16)
			I->under16 = 1;
		victim_context(g, I, v);
	}

	/* The organisations of this incident. */
	int hp = I->v[0].p.prov;
	I->police = police_for(hp);
	I->bg = pt == PT_CHINA     ? (hp == P_HAGIANG ? O_BG_HG : O_BG_LC)
	        : pt == PT_SCAM_KH ? O_BG_TN
	        : pt == PT_SCAM_LA ? O_BG_NA
	                           : -1;
	I->spc = provs[hp].region == R_NORTH || pt == PT_CHINA ? O_SPC_LC : O_SPC_HN;
	static const uint16_t ngo_w[] = {40, 35, 25};
	I->ngo = O_NGO1 + pickw(r, ngo_w, 3);
	if (pt == PT_CHINA && chance(r, 600))
		I->ngo = O_NGO3;
	I->company = pt == PT_SERBIA || pt == PT_SAUDI ? O_CO1 + (int)rnd(r, 3) : -1;

	int slot_org[S_N];
	int slot_case[S_N];
	slot_org[S_BG] = I->bg;
	slot_org[S_POLICE] = I->police;
	slot_org[S_SPC] = I->spc;
	slot_org[S_NGO] = I->ngo;
	slot_org[S_HOTLINE] = O_HOTLINE;
	slot_org[S_IO] = O_IO;
	slot_org[S_EMB] = O_EMB;
	slot_org[S_DOLAB] = O_DOLAB;
	slot_org[S_COMPANY] = I->company;
	/* Incident visibility: some groups are rescued in the news, some not. */
	static const uint16_t vis_w[] = {30, 45, 25};
	static const uint16_t vis_f[] = {500, 1000, 1500};
	unsigned ivis = vis_f[pickw(r, vis_w, 3)];
	for (int s = 0; s < S_N; s++) {
		slot_case[s] = -1;
		if (slot_org[s] < 0 || !capture_p[pt][s])
			continue;
		int32_t od = open_date(g, I, orgs[slot_org[s]].kind);
		slot_case[s] = add_case(I, slot_org[s], od);
	}
	for (int i = 0; i < I->nv; i++) {
		struct victim *v = &I->v[i];
		unsigned vvis = vis_f[pickw(r, vis_w, 3)];
		for (int s = 0; s < S_N; s++) {
			if (slot_case[s] < 0)
				continue;
			unsigned p = capture_p[pt][s] * ivis / 1000 * vvis / 1300;
			if (p > 950)
				p = 950;
			if (chance(r, p))
				v->caught |= 1u << slot_case[s];
		}
	}

	/* Perpetrators and proceedings. */
	static const uint16_t perp_p[PT_N] = {180, 180, 330, 220, 130, 180, 220, 400};
	if (chance(r, perp_p[pt])) {
		int pc = slot_case[S_POLICE];
		if (pc < 0)
			pc = add_case(I, I->police, open_date(g, I, K_POLICE));
		int np = chance(r, 600) ? 1 : rrange(r, 2, MAXP);
		int32_t pol_open = pc >= 0 ? I->c[pc].opened : I->ret;
		for (int k = 0; k < np && pc >= 0; k++) {
			struct perp *P = &I->p[I->np++];
			memset(P, 0, sizeof *P);
			P->pool = -1;
			/* Some recruiters and brokers turn up in several incidents. */
			if (g->npool && chance(r, 150)) {
				for (int t = 0; t < 8; t++) {
					int j = (int)rnd(r, (uint32_t)g->npool);
					int dup = 0;
					for (int q2 = 0; q2 < I->np - 1; q2++)
						dup |= I->p[q2].pool == j;
					if (!dup && g->pool[j].pt == pt &&
					    years_between(g->pool[j].p.birth, I->recruited) < 70) {
						P->pool = j;
						P->p = g->pool[j].p;
						break;
					}
				}
			}
			if (P->pool < 0) {
				int female = pt == PT_CHINA || pt == PT_DOMESTIC ? chance(r, 550)
				                                                 : chance(r, 300);
				int age = rrange(r, 22, 58);
				int chinese =
				        (pt == PT_CHINA || pt == PT_SCAM_KH || pt == PT_SCAM_MM) &&
				        chance(r, 150);
				int prov = chance(r, 700) ? hp : general_prov(r);
				person_new(r, &P->p, female, birth_for_age(r, I->recruited, age),
				           prov, I->recruited, 300, chinese);
				namesake(g, &P->p);
			}
			static const uint16_t role_p[PT_N][8] = {
			        [PT_SERBIA] = {900, 100, 400, 100, 0, 0, 0, 50},
			        [PT_SAUDI] = {900, 100, 400, 200, 0, 0, 50, 50},
			        [PT_CHINA] = {700, 400, 500, 100, 200, 100, 0, 50},
			        [PT_SCAM_KH] = {800, 400, 200, 300, 200, 0, 100, 50},
			        [PT_SCAM_MM] = {800, 300, 200, 300, 200, 0, 100, 50},
			        [PT_SCAM_LA] = {800, 400, 200, 300, 200, 0, 100, 50},
			        [PT_UK] = {700, 500, 300, 300, 400, 0, 100, 50},
			        [PT_DOMESTIC] = {500, 200, 100, 700, 0, 50, 300, 50}};
			P->roles = draw_mask(r, role_p[pt], 8);
			if (!P->roles)
				P->roles = 1;
			static const uint16_t final_w[ST_N] = {80, 80, 150, 80, 20, 480, 20, 90};
			P->final = pickw(r, final_w, ST_N);
			int32_t d = pol_open;
			P->sd[ST_DENOUNCED] = d;
			P->sd[ST_VERIFIED] = d += rrange(r, 10, 60);
			P->sd[ST_INVESTIGATED] = d += rrange(r, 30, 120);
			if (P->final == ST_DISMISSED) {
				P->sd[ST_DISMISSED] = d + rrange(r, 30, 180);
			} else {
				P->sd[ST_PROSECUTED] = d += rrange(r, 60, 240);
				P->sd[ST_TRIED] = d += rrange(r, 60, 240);
				P->sd[ST_CONVICTED] = P->sd[ST_ACQUITTED] = d;
			}
			/* Stop at the last stage reached by the cap date. */
			int last = P->final;
			int order[ST_N], no = 0;
			int upto = last == ST_DISMISSED   ? ST_INVESTIGATED
			           : last >= ST_CONVICTED ? ST_TRIED
			                                  : last;
			for (int s = 0; s <= upto; s++)
				order[no++] = s;
			if (last >= ST_CONVICTED) /* the verdict, or the dismissal */
				order[no++] = last;
			P->final = -1;
			for (int s = 0; s < no; s++)
				if (P->sd[order[s]] <= DAY_CAP)
					P->final = order[s];
				else
					break;
			if (P->final < 0)
				P->final = ST_DENOUNCED;
			P->article = I->under16                                              ? 1
			             : (pt == PT_SERBIA || pt == PT_SAUDI) && chance(r, 300) ? 3
			             : chance(r, 30)                                         ? 4
			                                                                     : 0;
			if (P->final == ST_CONVICTED) {
				unsigned k2 = rnd(r, 100);
				P->skind = k2 < 85 ? 1 : k2 < 97 ? 2 : 3;
				P->months = P->skind == 1 ? rrange(r, 24, 240) : 0;
			}
			P->caught = 1u << pc;
			if (P->final >= ST_PROSECUTED && P->final != ST_DISMISSED &&
			    I->police == O_CA_NA) {
				int vc = add_case(I, O_VKS, P->sd[ST_PROSECUTED]);
				if (vc >= 0)
					P->caught |= 1u << vc;
				if (P->final >= ST_TRIED && P->final != ST_DISMISSED) {
					int tc = add_case(I, O_TA,
					                  P->sd[ST_TRIED] - rrange(r, 20, 60));
					if (tc >= 0)
						P->caught |= 1u << tc;
				}
			}
		}
		/* Victims named in the procuracy's and court's files. */
		int pcv = pc >= 0 ? pc : -1;
		for (int c = 0; c < I->nc; c++) {
			int k = orgs[I->c[c].org].kind;
			if (k != K_PROC && k != K_COURT)
				continue;
			for (int i = 0; i < I->nv; i++)
				if (pcv >= 0 && (I->v[i].caught & (1u << pcv)) && chance(r, 300))
					I->v[i].caught |= 1u << c;
		}
	}

	/* Witnesses and family members. */
	for (int c = 0; c < I->nc && I->no < MAXO; c++) {
		int k = orgs[I->c[c].org].kind;
		int fam = k == K_HOTLINE ? chance(r, 250) : k == K_SPC ? chance(r, 50) : 0;
		int wit = k == K_POLICE ? chance(r, 80) : 0;
		if (!fam && !wit)
			continue;
		struct other *o = &I->o[I->no++];
		o->ci = c;
		o->role = fam ? 3 : 2;
		const struct person *v0 = &I->v[0].p;
		if (fam) {
			int female = chance(r, 500);
			int32_t b = add_years(v0->birth, -rrange(r, 20, 32));
			person_new(r, &o->p, female, b, v0->prov, I->ret, 50, 0);
			namesake(g, &o->p);
			if (!female && v0->ns == o->p.ns) { /* the father carries the family name */
				o->p.fam = v0->fam;
			}
			o->p.district = v0->district;
			o->p.commune = v0->commune;
		} else {
			int female = chance(r, 400);
			int age = rrange(r, 20, 60);
			int32_t b = birth_for_age(r, I->ret, age);
			int prov = chance(r, 500) ? v0->prov : general_prov(r);
			person_new(r, &o->p, female, b, prov, I->ret, 100, 0);
		}
	}

	/* ~3% of victims are trafficked again after they came home. */
	for (int i = 0; i < I->nv; i++) {
		struct victim *v = &I->v[i];
		v->retraffic = 0;
		if (chance(r, 85) && I->ret + 500 < DAY_CAP && g->qlen < QUEUE &&
		    years_between(v->p.birth, I->ret) < 40)
			v->retraffic = 1;
	}
}

/* ------------------------------------------------------------------ */
/* Writing a person the way an organisation writes it                  */
/* ------------------------------------------------------------------ */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void put_person(struct gen *g, struct row *R, const struct person *p, int org)
{
	struct rng vr; /* seeded per (seed, org, person): same writing every time */
	uint64_t k = g->seed ^ (((uint64_t)p->pid << 8) | (uint64_t)org) * 0xD1B54A32D192ED03ull;
	rng_seed(&vr, splitmix64(&k));
	struct rng *r = &vr;
	const struct profile *pf = &profiles[orgs[org].kind];
	char buf[4][128];

	/* Names. */
	int n;
	const struct wname *ft = ns_fam(p->ns, &n);
	const char *fam = ft[p->fam % n].s;
	const struct wname *mt = ns_mid(p->ns, p->female, &n);
	const char *mid = mt[p->mid % n].s;
	if (chance(r, dq(g, CTIP_DQ_DROP_MIDDLE, pf->nomid)))
		mid = "";
	else if (chance(r, pf->othermid))
		mid = mt[pick_wname(r, mt, n)].s;
	const char *const *gt = ns_giv(p->ns, p->female, &n);
	const char *giv = gt[p->giv % n];
	if (chance(r, dq(g, CTIP_DQ_TYPOS, pf->typo))) {
		typo(r, buf[3], sizeof buf[3], giv);
		giv = buf[3];
	}
	char famt[128];
	if (g->o->dq_set[CTIP_DQ_TYPOS] && chance(r, g->o->dq[CTIP_DQ_TYPOS])) {
		typo(r, famt, sizeof famt, fam);
		fam = famt;
	}
	if (chance(r, dq(g, CTIP_DQ_SWAP_ORDER, pf->swap))) {
		const char *t = fam;
		fam = giv;
		giv = t;
	}
	int how = 0;
	if (p->ns == NS_CN || chance(r, dq(g, CTIP_DQ_NO_DIACRITICS, pf->ascii)))
		how |= TX_FOLD;
	if (chance(r, dq(g, CTIP_DQ_CAPITALS, pf->upper)))
		how |= TX_UPPER;
	text_tx(buf[0], sizeof buf[0], fam, how);
	text_tx(buf[1], sizeof buf[1], mid, how);
	text_tx(buf[2], sizeof buf[2], giv, how);
	cadd(R, COL_FAMILY, buf[0]);
	cadd(R, COL_MIDDLE, buf[1]);
	cadd(R, COL_GIVEN, buf[2]);

	/* Birth date. */
	unsigned x = rnd(r, 1000), bmiss = dq(g, CTIP_DQ_MISSING_BIRTH, pf->bmiss),
	         byear = dq(g, CTIP_DQ_PARTIAL_BIRTH, pf->byear),
	         bmonth = g->o->dq_set[CTIP_DQ_PARTIAL_BIRTH] ? 0 : pf->bmonth;
	int y, m, d;
	civil_from_days(p->birth, &y, &m, &d);
	if (x < bmiss) {
		cadd(R, COL_BIRTH, "");
	} else if ((x -= bmiss) < byear) {
		cadd_date(R, COL_BIRTH, p->birth, 1);
	} else if ((x -= byear) < bmonth) {
		cadd_date(R, COL_BIRTH, p->birth, 2);
	} else if ((x -= bmonth) < pf->bswap && d <= 12 && d != m) {
		cadd_date(R, COL_BIRTH, ymd(y, d, m), 3);
	} else if ((x -= pf->bswap) < pf->boff) {
		int dy = chance(r, 500) ? 1 : -1;
		if (m == 2 && d == 29 && !is_leap(y + dy))
			d = 28;
		cadd_date(R, COL_BIRTH, ymd(y + dy, m, d), 3);
	} else {
		cadd_date(R, COL_BIRTH, p->birth, 3);
	}

	if (!chance(r, pf->gendmiss))
		cadd(R, COL_GENDER, p->female ? "Feminine" : "Masculine");
	else if (chance(r, 300))
		cadd(R, COL_GENDER, "NonSpecifiedUnknown");
	cadd(R, COL_CITIZEN, p->citizen);
	if (p->ns != NS_CN && !chance(r, pf->ethmiss))
		cadd(R, COL_ETHNIC, eth_code[p->eth]);

	/* Identity documents: which ones this organisation writes down. */
	int kind = orgs[org].kind;
	const char *docs[3] = {p->cccd, p->cmnd, p->pass};
	static const char *const doctype[3] = {"CCCD", "CMND", "Passport"};
	const int32_t iss[3] = {p->cccd_iss, p->cmnd_iss, p->pass_iss};
	const int32_t exp[3] = {p->cccd_exp, p->cmnd_exp, p->pass_exp};
	int order[3];
	if (kind == K_BG || kind == K_IO || kind == K_EMB || kind == K_DOLAB || kind == K_COMPANY) {
		order[0] = 2;
		order[1] = 0;
		order[2] = 1;
	} else {
		order[0] = 0;
		order[1] = 1;
		order[2] = 2;
	}
	int ndoc = 0;
	for (int i = 0; i < 3; i++) {
		int t = order[i];
		if (!docs[t][0] || chance(r, dq_not(g, CTIP_DQ_DOCS, pf->idmiss)))
			continue;
		if (ndoc &&
		    !(kind == K_COMPANY || kind == K_POLICE || kind == K_PROC || kind == K_COURT))
			break;
		if (ndoc && chance(r, 500))
			break;
		char num[16];
		strcpy(num, docs[t]);
		size_t len = strlen(num);
		if (chance(r, pf->iderr)) {
			size_t i0 = t == 2 ? 1 : 0;
			size_t j = i0 + rnd(r, (uint32_t)(len - i0 - 1));
			if (chance(r, 500)) { /* transposed */
				char c = num[j];
				num[j] = num[j + 1];
				num[j + 1] = c;
			} else { /* misread */
				static const char confuse[] =
				        "8778965134"; /* 0->8 1->7 2->7 3->8 ... */
				num[j] = confuse[num[j] - '0'];
			}
		}
		cadd(R, COL_IDTYPE, doctype[t]);
		cadd(R, COL_IDNUM, num);
		int full = !chance(r, 150);
		if (chance(r, 100)) {
			cadd(R, COL_IDISSUE, "");
			cadd(R, COL_IDEXPIRY, "");
		} else {
			cadd_date(R, COL_IDISSUE, iss[t], full ? 3 : 1);
			cadd_date(R, COL_IDEXPIRY, exp[t], full ? 3 : 1);
		}
		ndoc++;
	}

	/* Phone. */
	if (p->phone[0] && !chance(r, dq_not(g, CTIP_DQ_PHONES, pf->phmiss))) {
		const char *s = p->phone;
		char ph[24];
		switch (rnd(r, 6)) {
		case 0:
		case 1: strcpy(ph, s); break;
		case 2:
			ph[0] = '+';
			ph[1] = '8';
			ph[2] = '4';
			strcpy(ph + 3, s + 1);
			break;
		case 3: /* 84 9xx xxx xxx */
			memcpy(ph, "84 ", 3);
			memcpy(ph + 3, s + 1, 3);
			ph[6] = ' ';
			memcpy(ph + 7, s + 4, 3);
			ph[10] = ' ';
			memcpy(ph + 11, s + 7, 3);
			ph[14] = 0;
			break;
		case 4: /* 0912 345 678 */
			memcpy(ph, s, 4);
			ph[4] = ' ';
			memcpy(ph + 5, s + 4, 3);
			ph[8] = ' ';
			memcpy(ph + 9, s + 7, 3);
			ph[12] = 0;
			break;
		default: /* 0912.345.678 */
			memcpy(ph, s, 4);
			ph[4] = '.';
			memcpy(ph + 5, s + 4, 3);
			ph[8] = '.';
			memcpy(ph + 9, s + 7, 3);
			ph[12] = 0;
			break;
		}
		cadd(R, COL_PHONE, ph);
	}

	/* Address. */
	if (!chance(r, dq(g, CTIP_DQ_MISSING_PROVINCE, pf->provmiss))) {
		int ph = how & TX_FOLD;
		if (chance(r, pf->provascii))
			ph |= TX_FOLD;
		unsigned c = rnd(r, 10);
		if (c == 0)
			ph |= TX_UPPER;
		else if (c == 1)
			ph |= TX_LOWER;
		else if (how & TX_UPPER)
			ph |= TX_UPPER;
		text_tx(buf[0], sizeof buf[0], provs[p->prov].name, ph);
		cadd(R, COL_PROV, buf[0]);
	}
	if (!chance(r, dq_not(g, CTIP_DQ_ADDRESS_BELOW, pf->distmiss))) {
		char t[96];
		const char *dn = district_name(p);
		if (chance(r, 300)) {
			memcpy(t, "Huyện ", 8);
			strcpy(t + 8, dn);
			dn = t;
		}
		text_tx(buf[1], sizeof buf[1], dn, how);
		cadd(R, COL_DISTRICT, buf[1]);
	}
	if (!chance(r, dq_not(g, CTIP_DQ_ADDRESS_BELOW, pf->commmiss))) {
		char t[96];
		const char *cn = communes[p->commune % NELEM(communes)];
		if (chance(r, 400)) {
			memcpy(t, "Xã ", 4);
			strcpy(t + 4, cn);
			cn = t;
		}
		text_tx(buf[2], sizeof buf[2], cn, how);
		cadd(R, COL_COMMUNE, buf[2]);
	}
}

/* ------------------------------------------------------------------ */
/* Cases and rows                                                      */
/* ------------------------------------------------------------------ */

static void put_victim_link(struct gen *g, struct row *R, const struct incident *I,
                            const struct victim *v, int ci)
{
	struct rng *r = &g->r;
	int org = I->c[ci].org;
	int kind = orgs[org].kind;
	int32_t opened = I->c[ci].opened;
	int police_case = -1;
	for (int c = 0; c < I->nc; c++)
		if (I->c[c].org == I->police)
			police_case = c;
	int police_knows = police_case >= 0 && (v->caught & (1u << police_case)) &&
	                   I->c[police_case].opened + 30 < DAY_CAP;

	/* Identification. */
	const char *st = "PossibleVictimOfTrafficking", *decorg = NULL, *decby = NULL, *cert = NULL;
	int32_t sdate = opened + rrange(r, 0, 30);
	switch (kind) {
	case K_POLICE:
	case K_PROC:
	case K_COURT:
		if (chance(r, 50)) {
			st = "NotAVictimOfTrafficking";
			decorg = kind == K_POLICE ? "Police" : "CourtOrProsecution";
			decby = orgs[org].name;
		} else if (chance(r, 800)) {
			st = "ActualVictimOfTrafficking";
			decorg = kind == K_POLICE ? "Police" : "CourtOrProsecution";
			decby = orgs[org].name;
			cert = kind == K_POLICE ? (chance(r, 700) ? "DistrictPolice" : "None")
			                        : "ProceedingsAgency";
			sdate = opened + rrange(r, 10, 90);
		}
		break;
	case K_BG:
		if (chance(r, 500)) {
			st = "ActualVictimOfTrafficking";
			decorg = "Other";
			decby = orgs[org].name;
			cert = "RescueAgency";
		}
		break;
	case K_EMB:
		if (chance(r, 400)) {
			st = "ActualVictimOfTrafficking";
			decorg = "NonPoliceGovernmentalOrganization";
			decby = orgs[org].name;
			cert = "ForeignAuthority";
		}
		break;
	default:
		if (police_knows && chance(r, 600)) {
			st = "ActualVictimOfTrafficking";
			decorg = "Police";
			decby = orgs[I->police].name;
			cert = "DistrictPolice";
			sdate = I->c[police_case].opened + rrange(r, 10, 30);
		} else if (kind == K_NGO && chance(r, 200)) {
			decorg = "NGO";
			decby = orgs[org].name;
		}
		break;
	}
	if (sdate > DAY_CAP)
		sdate = DAY_CAP;
	cadd(R, COL_TRSTATUS, st);
	if (decorg) {
		cadd(R, COL_TRDECORG, decorg);
		cadd(R, COL_TRDECBY, decby);
		cadd_date(R, COL_TRDATE, sdate, 3);
	}
	if (cert)
		cadd(R, COL_CERT, cert);

	int sparse = kind == K_HOTLINE || kind == K_BG;
	if (!chance(r, sparse ? 400 : 150))
		cadd_uint(R, COL_AGE, (unsigned long)years_between(v->p.birth, v->recruited));
	if (!chance(r, sparse ? 500 : 200)) {
		cadd_mask(R, COL_RECMETHOD, v->recruit, recruit_code, NRECRUIT);
		cadd_mask(R, COL_APPS, v->apps, app_code, NAPP);
	}
	if (!chance(r, sparse ? 500 : 250))
		cadd(R, COL_REL, rel_code[v->rel]);
	if (I->company >= 0 && !chance(r, 150))
		cadd(R, COL_RECRUITER, orgs[I->company].name);
	if (!chance(r, sparse ? 500 : 200)) {
		uint32_t cm = v->control;
		for (int i = 0; i < NCONTROL; i++) /* each organisation hears of some */
			if ((cm & (1u << i)) && chance(r, 150) && (cm & ~(1u << i)))
				cm &= ~(1u << i);
		cadd_mask(R, COL_CONTROL, cm, control_code, NCONTROL);
	}
	cadd_mask(R, COL_EXPLTYPE, v->expl, expl_code, NEXPL);
	if (v->industry != IND_NONE && !chance(r, 200))
		cadd(R, COL_INDUSTRY, industry_code[v->industry]);
	cadd_mask(R, COL_SEXTYPE, v->sex, sex_code, 4);

	/* Where and when: hotlines and NGOs often know only the month. */
	int prec = (kind == K_HOTLINE || kind == K_NGO) && chance(r, 300) ? 2 : 3;
	if (!chance(r, 100)) {
		int32_t end = I->end;
		int known_end = end <= opened || chance(r, 300);
		cadd(R, COL_EXCOUNTRY, country_code[I->country]);
		cadd(R, COL_EXPLACE, chance(r, 200) ? "" : I->place);
		if (g->o->dq_set[CTIP_DQ_EXPL_DATES] && !chance(r, g->o->dq[CTIP_DQ_EXPL_DATES]))
			known_end = -1; /* neither date written */
		if (known_end >= 0)
			cadd_date(R, COL_EXSTART, I->start, prec);
		else
			cadd(R, COL_EXSTART, ""); /* items stay aligned with the country's */
		if (known_end > 0)
			cadd_date(R, COL_EXEND, end, prec);
		else
			cadd(R, COL_EXEND, "");
	}
	if (kind != K_HOTLINE || chance(r, 300)) {
		for (int e = 0; e < v->nev; e++) {
			const struct event *ev = &v->ev[e];
			if (ev->date > opened && ev->type >= 3)
				continue; /* not happened yet when the case was opened */
			if (e && e < v->nev - 1 && chance(r, 200))
				continue;
			static const char *const evtype[] = {"Recruitment", "Transit",
			                                     "Exploitation", "ExitOrRescue",
			                                     "ReturnOrRepatriation"};
			cadd(R, COL_EVTYPE, evtype[ev->type]);
			cadd_date(R, COL_EVDATE, ev->date, prec);
			cadd(R, COL_EVCOUNTRY, country_code[ev->country]);
			cadd(R, COL_EVCITY, ev->city);
		}
	}

	/* Assistance by shelters, NGOs, the IO, the embassy, border guard. */
	int na = 0;
	switch (kind) {
	case K_SPC: na = rrange(r, 1, 4); break;
	case K_NGO: na = chance(r, 800) ? rrange(r, 1, 4) : 0; break;
	case K_IO: na = rrange(r, 1, 3); break;
	case K_EMB:
	case K_BG: na = chance(r, 400) ? 1 : 0; break;
	default: break;
	}
	int32_t ad = opened;
	uint32_t used = 0;
	for (int a = 0; a < na; a++) {
		int kd;
		if (kind == K_EMB || kind == K_BG)
			kd = AS_ESS;
		else {
			static const uint16_t kw[AS_N] = {300, 200, 200, 100, 100, 100};
			kd = pickw(r, kw, AS_N);
		}
		if (used & (1u << kd))
			continue;
		used |= 1u << kd;
		ad += rrange(r, 0, 60);
		if (ad > DAY_CAP)
			break;
		cadd(R, COL_ASKIND, assist_code[kd]);
		cadd_date(R, COL_ASDATE, ad, 3);
		cadd(R, COL_ASPROV,
		     chance(r, 900) || I->ngo == org ? orgs[org].name : orgs[I->ngo].name);
		static const int32_t lo[AS_N] = {500, 200, 0, 0, 1000, 1500};
		static const int32_t hi[AS_N] = {3000, 5000, 0, 0, 10000, 50000};
		if (hi[kd] && !chance(r, 200))
			cadd_uint(R, COL_ASAMOUNT,
			          (unsigned long)rrange(r, lo[kd], hi[kd]) * 1000ul);
		else
			cadd(R, COL_ASAMOUNT, "");
	}

	/* Consent. */
	int ask = kind == K_SPC || kind == K_NGO || kind == K_IO || kind == K_HOTLINE ? 900 : 300;
	if (chance(r, ask)) {
		int yes = chance(r, 870);
		cadd(R, COL_CONSENT, yes ? "true" : "false");
		if (yes) {
			uint32_t sc = 1;
			for (int i = 1; i < 5; i++)
				if (chance(r, 550))
					sc |= 1u << i;
			cadd_mask(R, COL_CONSCOPE, sc, consent_code, 5);
		}
		int32_t cd = opened + rrange(r, 0, 2);
		cadd_date(R, COL_CONDATE, cd > DAY_CAP ? DAY_CAP : cd, 3);
	}
}

static void put_perp_link(struct row *R, const struct incident *I, const struct perp *P, int ci)
{
	int kind = orgs[I->c[ci].org].kind;
	cadd_mask(R, COL_PERROLE, P->roles, perp_role_code, 8);
	/* The stages this organisation knows of, up to its own part. */
	int upto = P->final;
	int32_t opened = I->c[ci].opened;
	for (int s = 0; s < ST_N; s++) {
		int reached;
		if (s <= ST_INVESTIGATED)
			reached = upto >= s;
		else if (s <= ST_TRIED)
			reached = upto >= s && upto != ST_DISMISSED;
		else
			reached = upto == s;
		if (!reached)
			continue;
		/* The police file follows the case for about 18 months. */
		if (kind == K_POLICE && s > ST_INVESTIGATED && s != ST_DISMISSED &&
		    P->sd[s] > opened + 540)
			continue;
		cadd(R, COL_PRSTAGE, stage_code[s]);
		cadd_date(R, COL_PRDATE, P->sd[s], 3);
		static const char *const art[] = {"Art150", "Art151", "Other", "Art297", "Art154"};
		cadd(R, COL_PRART, art[P->article]);
		static const char *const sk[] = {"", "Imprisonment", "SuspendedSentence",
		                                 "LifeImprisonment"};
		cadd(R, COL_PRSKIND, s == ST_CONVICTED ? sk[P->skind] : "");
		if (s == ST_CONVICTED && P->skind == 1)
			cadd_uint(R, COL_PRSMONTHS, (unsigned long)P->months);
		else
			cadd(R, COL_PRSMONTHS, "");
	}
}

static int emit_row(struct gen *g, const struct person *p, int org)
{
	if (g->rows >= g->target)
		return 1;
	struct row *R = &g->row;
	int isnew;
	uint32_t rec = record_of(g, p->pid, org, &isnew);
	if (g->oom)
		return 1;
	char id[64];
	size_t pl = strlen(orgs[org].recprefix);
	memcpy(id, orgs[org].recprefix, pl);
	put_digits(id + pl, rec, 6);
	cadd(R, COL_RECID, id);
	if (isnew && g->truth) {
		char pid[24];
		pid[0] = 'P';
		put_digits(pid + 1, p->pid, 6);
		ctip_csv_field(g->truth, orgs[org].name, 1);
		ctip_csv_field(g->truth, id, 0);
		ctip_csv_field(g->truth, pid, 0);
		ctip_csv_eol(g->truth);
	}
	return 0;
}

static void emit_case(struct gen *g, int ci)
{
	struct rng *r = &g->r;
	struct incident *I = &g->inc;
	struct icase *C = &I->c[ci];
	struct row *R = &g->row;
	int org = C->org;
	int kind = orgs[org].kind;
	uint32_t bit = 1u << ci;

	int any = 0;
	for (int i = 0; i < I->nv; i++)
		any |= (I->v[i].caught & bit) != 0;
	for (int i = 0; i < I->np; i++)
		any |= (I->p[i].caught & bit) != 0;
	if (!any)
		return;

	cell_clear(R, 0, NCOL);
	cadd(R, COL_ORG, orgs[org].name);
	cadd(R, COL_ORGTYPE, orgs[org].type);
	int yi = year_of(C->opened) - 2014;
	if (yi < 0)
		yi = 0;
	if (yi > 15)
		yi = 15;
	char cid[64];
	size_t pl = strlen(orgs[org].caseprefix);
	memcpy(cid, orgs[org].caseprefix, pl);
	cid[pl] = '-';
	char *e = put_digits(cid + pl + 1, (unsigned)(year_of(C->opened)), 4);
	*e++ = '-';
	put_digits(e, ++g->caseno[org][yi], 4);
	cadd(R, COL_CASEID, cid);

	/* Outgoing referrals: to organisations that opened their case later. */
	int nref = 0;
	int32_t lastref = C->opened;
	for (int c = 0; c < I->nc; c++) {
		if (c == ci || I->c[c].opened < C->opened)
			continue;
		int tk = orgs[I->c[c].org].kind;
		if (tk == K_PROC || tk == K_COURT || tk == K_COMPANY)
			continue;
		unsigned p = kind == K_BG && tk == K_SPC ? 800 : kind == K_HOTLINE ? 500 : 350;
		if (!chance(r, p))
			continue;
		int32_t rd = I->c[c].opened - rrange(r, 0, 3);
		if (rd < C->opened)
			rd = C->opened;
		cadd(R, COL_REF_ORG, orgs[I->c[c].org].name);
		cadd_date(R, COL_REF_DATE, rd, 3);
		static const uint16_t rw[] = {750, 150, 100};
		static const char *const rc[] = {"AdditionalServicesRequired",
		                                 "MigrationOrChangeOfLocation", "Other"};
		cadd(R, COL_REF_REASON, rc[pickw(r, rw, 3)]);
		cadd(R, COL_REF_STATUS, chance(r, 600) ? "Completed" : "Accepted");
		nref++;
		if (rd > lastref)
			lastref = rd;
	}
	if (chance(r, 80) && kind != K_COMPANY) { /* a referral that led nowhere */
		int to = (kind == K_NGO || kind == K_HOTLINE) ? I->police : I->ngo;
		if (to != org) {
			int32_t rd = C->opened + rrange(r, 1, 60);
			if (rd <= DAY_CAP) {
				cadd(R, COL_REF_ORG, orgs[to].name);
				cadd_date(R, COL_REF_DATE, rd, 3);
				cadd(R, COL_REF_REASON, "AdditionalServicesRequired");
				cadd(R, COL_REF_STATUS, chance(r, 500) ? "Declined" : "Pending");
				nref++;
				if (rd > lastref)
					lastref = rd;
			}
		}
	}

	/* Status. */
	int32_t closed = C->opened + rrange(r, 30, kind == K_COURT || kind == K_PROC ? 400 : 720);
	if (closed <= lastref)
		closed = lastref + rrange(r, 1, 60);
	if (closed > DAY_CAP) {
		cadd(R, COL_STATUS, chance(r, 700) ? "Active" : "FollowUp");
	} else {
		unsigned x = rnd(r, 100);
		if (x < 12) {
			cadd(R, COL_STATUS, "FollowUp");
		} else if (nref && x < 50) {
			cadd(R, COL_STATUS, "ClosedReferred");
			cadd(R, COL_CLOSEREASON, "Chuyển gửi sang cơ quan khác");
			cadd_date(R, COL_CLOSED, closed, 3);
		} else {
			cadd(R, COL_STATUS, "Closed");
			int ri = kind == K_COURT || kind == K_PROC ? 4 : (int)rnd(r, 4);
			if (kind == K_POLICE && chance(r, 300))
				ri = 5;
			cadd(R, COL_CLOSEREASON, closure_reason[chance(r, 50) ? 6 : ri]);
			cadd_date(R, COL_CLOSED, closed, 3);
		}
	}
	cadd_date(R, COL_OPENED, C->opened, 3);

	/* Rows: victims, perpetrators, others. */
	for (int i = 0; i < I->nv; i++) {
		struct victim *v = &I->v[i];
		if (!(v->caught & bit))
			continue;
		if (!v->p.pid)
			v->p.pid = ++g->next_pid;
		cell_clear(R, COL_RECID, NCOL);
		if (emit_row(g, &v->p, org))
			return;
		cadd(R, COL_ROLE, "Victim");
		put_person(g, R, &v->p, org);
		put_victim_link(g, R, I, v, ci);
		row_write(g->out, R);
		g->rows++;
	}
	for (int i = 0; i < I->np; i++) {
		struct perp *P = &I->p[i];
		if (!(P->caught & bit))
			continue;
		if (!P->p.pid)
			P->p.pid = ++g->next_pid;
		cell_clear(R, COL_RECID, NCOL);
		if (emit_row(g, &P->p, org))
			return;
		cadd(R, COL_ROLE, "Perpetrator");
		put_person(g, R, &P->p, org);
		put_perp_link(R, I, P, ci);
		row_write(g->out, R);
		g->rows++;
	}
	for (int i = 0; i < I->no; i++) {
		struct other *o = &I->o[i];
		if (o->ci != ci)
			continue;
		if (!o->p.pid)
			o->p.pid = ++g->next_pid;
		cell_clear(R, COL_RECID, NCOL);
		if (emit_row(g, &o->p, org))
			return;
		cadd(R, COL_ROLE, o->role == 3 ? "FamilyMember" : "Witness");
		put_person(g, R, &o->p, org);
		row_write(g->out, R);
		g->rows++;
	}
}

static void incident_emit(struct gen *g)
{
	struct incident *I = &g->inc;
	/* Cases in the order they were opened (insertion sort, nc is small). */
	int ord[MAXCASE];
	for (int i = 0; i < I->nc; i++) {
		int j = i;
		while (j > 0 && I->c[ord[j - 1]].opened > I->c[i].opened) {
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = i;
	}
	for (int i = 0; i < I->nc && g->rows < g->target && !g->oom; i++)
		emit_case(g, ord[i]);

	/* Perpetrators go (back) to the pool, with the ids they now have. */
	for (int i = 0; i < I->np; i++) {
		struct perp *P = &I->p[i];
		int j = P->pool;
		if (j < 0) {
			if (g->npool < POOL)
				j = g->npool++;
			else
				j = (int)rnd(&g->r, POOL);
		}
		g->pool[j].p = P->p;
		g->pool[j].pt = I->pt;
	}
	/* Victims to be trafficked again. */
	for (int i = 0; i < I->nv; i++) {
		struct victim *v = &I->v[i];
		if (!v->retraffic || g->qlen >= QUEUE)
			continue;
		struct queued *q = &g->queue[(g->qhead + g->qlen) % QUEUE];
		q->p = v->p;
		q->after = I->ret + rrange(&g->r, 90, 1000);
		if (q->after + 200 > DAY_CAP)
			q->after = I->ret + 30;
		g->qlen++;
	}
}

int ctip_demo_generate(const struct ctip_demo_opts *o, FILE *out, FILE *truth, ctip_err *err)
{
	if (!o || !out)
		return ctip_err_set(err, CTIP_EINVAL, "demo: no options or no output");
	if (o->persons < 0)
		return ctip_err_set(err, CTIP_EINVAL, "demo: persons must be >= 0, not %ld",
		                    o->persons);
	struct gen *g = calloc(1, sizeof *g);
	if (!g)
		return ctip_err_set(err, CTIP_ENOMEM, "demo: out of memory");
	g->seed = (uint64_t)o->seed;
	rng_seed(&g->r, g->seed);
	g->out = out;
	g->truth = truth;
	g->target = o->persons;
	g->o = o;

	for (int c = 0; c < NCOL; c++)
		ctip_csv_field(out, col_names[c], c == 0);
	ctip_csv_eol(out);
	if (truth) {
		ctip_csv_field(truth, "src_Organisation", 1);
		ctip_csv_field(truth, "src_RecordId", 0);
		ctip_csv_field(truth, "person_id", 0);
		ctip_csv_eol(truth);
	}
	while (g->rows < g->target && !g->oom) {
		incident_build(g);
		incident_emit(g);
		if (ferror(out) || (truth && ferror(truth)))
			break;
	}
	int rc = 0;
	if (g->oom)
		rc = ctip_err_set(err, CTIP_ENOMEM, "demo: out of memory after %ld rows", g->rows);
	else if (fflush(out) || ferror(out) || (truth && (fflush(truth) || ferror(truth))))
		rc = ctip_err_set(err, CTIP_EIO, "demo: write failed after %ld rows", g->rows);
	free(g->map.keys);
	free(g->map.vals);
	free(g);
	return rc;
}
