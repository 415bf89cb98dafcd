/*
 * estimate_dist.c - the distributions MSE needs (normal, Poisson tails, R's quantile type 8)
 * and a seedable random number generator (xoshiro256**, seeded by splitmix64) with the
 * samplers of the bootstrap and of the Gibbs sampler. Written here because they are small
 * and must give the same draws on every machine for a given seed.
 */
#include <math.h>

#include "estimate.h"

double ctip_pnorm(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/* Acklam's rational approximation, then one Halley step on erfc: full double precision. */
double ctip_qnorm(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
	                           -2.759285104469687e+02, 1.383577518672690e+02,
	                           -3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
	                           -1.556989798598866e+02, 6.680131188771972e+01,
	                           -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
	                           -2.400758277161838e+00, -2.549732539343734e+00,
	                           4.374664141464968e+00,  2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	                           2.445134137142996e+00, 3.754408661907416e+00};
	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	double x, q, r;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - 0.02425) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	} else {
		q = sqrt(-2 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	double e = ctip_pnorm(x) - p, u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/* Regularised incomplete gamma P(a, x) by its series (x < a + 1) or Q(a, x) by the
 * continued fraction (Lentz), each where it converges fast. */
static double gamma_series_p(double a, double x)
{
	double ap = a, sum = 1 / a, del = sum;
	for (int n = 0; n < 100000; n++) {
		ap += 1;
		del *= x / ap;
		sum += del;
		if (fabs(del) < fabs(sum) * 1e-16)
			break;
	}
	return sum * exp(-x + a * log(x) - lgamma(a));
}

static double gamma_cf_q(double a, double x)
{
	const double tiny = 1e-300;
	double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
	for (int i = 1; i < 100000; i++) {
		double an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < tiny)
			d = tiny;
		c = b + an / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return exp(-x + a * log(x) - lgamma(a)) * h;
}

static double gamma_p(double a, double x)
{
	if (x <= 0)
		return 0;
	return x < a + 1 ? gamma_series_p(a, x) : 1 - gamma_cf_q(a, x);
}

static double gamma_q(double a, double x)
{
	if (x <= 0)
		return 1;
	return x < a + 1 ? 1 - gamma_series_p(a, x) : gamma_cf_q(a, x);
}

double ctip_ppois_le(double n, double lambda)
{
	n = floor(n + 1e-7);
	if (n < 0)
		return 0;
	if (lambda <= 0)
		return 1;
	return gamma_q(n + 1, lambda);
}

double ctip_ppois_ge(double n, double lambda)
{
	n = ceil(n - 1e-7);
	if (n <= 0)
		return 1;
	if (lambda <= 0)
		return 0;
	return gamma_p(n, lambda);
}

double ctip_quantile8(const double *x, int n, double p)
{
	if (n <= 0)
		return NAN;
	const double fuzz = 4 * 2.220446e-16, a = 1.0 / 3;
	double nppm = a + p * (n + 1 - 2 * a);
	double jf = floor(nppm + fuzz), h = nppm - jf;
	if (fabs(h) < fuzz)
		h = 0;
	long j = (long)jf; /* 1-based: x_j, with x_0 = x_1 and x_{n+1} = x_n */
	long lo = j < 1 ? 1 : j > n ? n : j, hi = j + 1 < 1 ? 1 : j + 1 > n ? n : j + 1;
	double xl = x[lo - 1], xh = x[hi - 1];
	if (h == 0)
		return xl;
	if (h >= 1)
		return xh;
	return (1 - h) * xl + h * xh;
}

/* --- random numbers -------------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void ctip_rng_seed(struct ctip_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next(struct ctip_rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

double ctip_rng_unif(struct ctip_rng *r)
{
	return ((double)(next(r) >> 11) + 0.5) * 0x1.0p-53;
}

double ctip_rng_normal(struct ctip_rng *r)
{
	for (;;) {
		double u = 2 * ctip_rng_unif(r) - 1, v = 2 * ctip_rng_unif(r) - 1,
		       s = u * u + v * v;
		if (s > 0 && s < 1)
			return u * sqrt(-2 * log(s) / s);
	}
}

/* Marsaglia and Tsang (2000); shape < 1 by the boost U^(1/shape). */
double ctip_rng_gamma(struct ctip_rng *r, double shape)
{
	if (shape < 1) {
		double u = ctip_rng_unif(r);
		return ctip_rng_gamma(r, shape + 1) * pow(u, 1 / shape);
	}
	double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
	for (;;) {
		double x, v;
		do {
			x = ctip_rng_normal(r);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		double u = ctip_rng_unif(r);
		if (u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			return d * v;
	}
}

/* Exact: Knuth's halving by a beta order statistic while n is large, then Bernoulli trials. */
long ctip_rng_binom(struct ctip_rng *r, long n, double p)
{
	long k = 0;
	if (p <= 0 || n <= 0)
		return 0;
	if (p >= 1)
		return n;
	while (n > 64) {
		long a = 1 + n / 2, b = n + 1 - a;
		double ga = ctip_rng_gamma(r, (double)a), gb = ctip_rng_gamma(r, (double)b);
		double x = ga / (ga + gb);
		if (x >= p) {
			n = a - 1;
			p /= x;
		} else {
			k += a;
			n = b - 1;
			p = (p - x) / (1 - x);
		}
	}
	for (long i = 0; i < n; i++)
		k += ctip_rng_unif(r) < p;
	return k;
}

/* Exact: Poisson by a gamma order statistic while lambda is large, then multiplication. */
static long rng_poisson(struct ctip_rng *r, double lambda)
{
	long k = 0;
	while (lambda > 16) {
		long m = (long)(lambda * 7 / 8);
		double x = ctip_rng_gamma(r, (double)m);
		if (x < lambda) {
			k += m;
			lambda -= x;
		} else {
			return k + ctip_rng_binom(r, m - 1, lambda / x);
		}
	}
	double L = exp(-lambda), prod = ctip_rng_unif(r);
	while (prod > L) {
		k++;
		prod *= ctip_rng_unif(r);
	}
	return k;
}

/* Failures before the size-th success, success probability p: a gamma-Poisson mixture. */
long ctip_rng_negbin(struct ctip_rng *r, double size, double p)
{
	if (p >= 1)
		return 0;
	double lam = ctip_rng_gamma(r, size) * (1 - p) / p;
	return rng_poisson(r, lam);
}

void ctip_rng_multinom(struct ctip_rng *r, long n, const double *w, int k, double *out)
{
	double tot = 0;
	int last = -1;
	for (int i = 0; i < k; i++) {
		tot += w[i] > 0 ? w[i] : 0;
		out[i] = 0;
		if (w[i] > 0)
			last = i;
	}
	/* conditional binomials: exact, and fast for few cells */
	for (int i = 0; i < k && n > 0 && tot > 0; i++) {
		double wi = w[i] > 0 ? w[i] : 0;
		long x = i == last ? n : ctip_rng_binom(r, n, wi / tot > 1 ? 1 : wi / tot);
		out[i] = (double)x;
		n -= x;
		tot -= wi;
	}
}
