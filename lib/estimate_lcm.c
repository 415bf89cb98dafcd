/*
 * estimate_lcm.c - placeholder, replaced by the latent-class sampler.
 */
#include <stdio.h>

#include "estimate.h"

int ctip_mse_lcm(const struct ctip_mse_data *d, uint64_t seed, double alpha, struct ctip_mse_lcm *r,
                 ctip_err *e)
{
	(void)d;
	(void)seed;
	(void)alpha;
	(void)e;
	snprintf(r->why, sizeof r->why, "not available in this build");
	return 0;
}
