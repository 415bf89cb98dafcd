/*
 * suppress.h - disclosure control of a table (stats.h) that leaves the system.
 *
 * Primary suppression: a cell counting 1 to threshold - 1 is withheld. Secondary
 * suppression: on every line of the table (one dimension varies over its levels and its
 * total, the others are fixed, margins included) a withheld cell is never alone; the
 * complement is the smallest published non-zero cell of the line. That is repeated to a
 * fixed point, and then an attacker who knows every published cell and every line's
 * equation (cells sum to the total) solves for the withheld ones; any cell it can pin
 * down exactly gets a further complement, and the attack runs again. Line-by-line
 * protection alone is not enough in two and more dimensions: a withheld cell that is the
 * only link between two groups of withheld cells (a bridge) is determined although every
 * line holds two.
 */
#ifndef CTIP_SUPPRESS_H
#define CTIP_SUPPRESS_H

#include "stats.h"

#define CTIP_SUPPRESS_DEFAULT 5

/* Sets t->supp; returns the number of cells withheld. threshold < 1 means 1. */
long ctip_suppress(struct ctip_stats_table *t, int threshold);

/* Secondary suppression only, keeping the cells already withheld (after cells were withheld
 * to agree with another table); returns the number of cells withheld. */
long ctip_suppress_more(struct ctip_stats_table *t);

/* The attacker: the number of withheld cells whose exact value follows from the published
 * cells and the line equations (first such cell in *cell when not NULL). exact: linear
 * algebra over all lines at once; else repeated single-unknown elimination. */
long ctip_suppress_attack(const struct ctip_stats_table *t, int exact, size_t *cell);

#endif
