/*
 * estimate_int.h - what the modules of estimate*.c share and nobody else needs: the design
 * matrix of a log-linear model over the observable cells of a capture-history table.
 */
#ifndef CTIP_ESTIMATE_INT_H
#define CTIP_ESTIMATE_INT_H

#include "estimate.h"

/* pairs of up to 10 lists, or pairs and triples of up to 6 (1 + 6 + 15 + 20 = 42) */
#define MSE_MAX_PAR (1 + CTIP_MSE_MAX_LISTS + CTIP_MSE_MAX_PAIRS)

/* Rows: the observable patterns 1 .. 2^m - 1, less those on both lists of a pair of the
 * model whose overlap is empty (SparseMSE fixes that interaction at minus infinity, so the
 * cells leave the model). Columns: the intercept, one per list, one per pair of the model
 * with a non-empty overlap, in pair order, then one per triple of the model (pk >= 0). */
struct mse_design {
	int m, nrow, npar;
	int cell[CTIP_MSE_MAX_CELLS];
	int pi[MSE_MAX_PAR], pj[MSE_MAX_PAR], pk[MSE_MAX_PAR]; /* an interaction's lists */
	uint64_t empty;
	unsigned char x[CTIP_MSE_MAX_CELLS][MSE_MAX_PAR];
	/* the same by rows, sparse: row r has ones in columns idx[r][0 .. nnz[r]) */
	unsigned char nnz[CTIP_MSE_MAX_CELLS], idx[CTIP_MSE_MAX_CELLS][MSE_MAX_PAR];
};

void mse_design_build(const struct ctip_mse_data *d, uint64_t model, struct mse_design *X);
/* Rank of the design: of X'X by Gaussian elimination with full pivoting (X'X has small
 * integer entries, so the pivots of a singular matrix vanish to rounding). */
int mse_design_rank(const struct mse_design *X);

#endif
