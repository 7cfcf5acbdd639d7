/* libidmap: answers UniProt ID mapping lookups from one memory-mapped index file.
 *
 * The whole public API, in two layers: idmap_index.h (open, verify, metadata, accession and
 * key lookup, iterators, batched lookups; its top states the conventions of every call) and
 * idmap_map.h (identifier forms, catalogue and rules, mapping jobs, rendering, saved jobs).
 */
#ifndef IDMAP_H
#define IDMAP_H

#include "idmap_index.h"
#include "idmap_map.h"

#endif
