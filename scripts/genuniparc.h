/* The UniParc XML of a synthetic release (genuniparc.c), written entry by entry by
 * idmap-genrelease --uniparc from the same values as its idmapping files. */
#ifndef IDMAP_GENUNIPARC_H
#define IDMAP_GENUNIPARC_H

#include <stdint.h>

#include "genfasta.h"

enum { GU_REFSEQ, GU_EMBL_CDS, GU_ENSEMBL_PRO, GU_GI };

/* One idmapping value of an entry that UniParc cross-references: type GU_*, iso 0 for the
 * canonical sequence, else the isoform number. */
struct gu_value {
	int type, iso;
	const char *value;
};

struct gu_entry {
	const char *acc;
	int reviewed;
	uint32_t taxid;
	const char *gene;  /* Gene_Name, NULL when none */
	const char *upi;   /* UniParc id of the canonical sequence */
	int niso;
	const char *iso_upi[GF_MAX_ISO + 1]; /* [n]: UniParc id of isoform n, NULL if none */
	const struct gu_value *v;
	int nv;
};

/* Opens uniparc_p1.xml .. uniparc_pN.xml (.gz with gzip) in dir. */
void gu_open(const char *dir, int gzip, int parts);
/* Adds an entry's cross-references to its UPIs (consecutive entries may share one) and now
 * and then a UniParc-only UPI whose ids the idmapping files do not have. */
void gu_entry(const struct gu_entry *e);
/* Writes the last UPI and closes the parts. */
void gu_close(void);

#endif
