/* Paged answers of Diff, Compare, Evaluate and Validate (renja.proto,
 * "Paged answers"): which lists of each answer form the page sequence, the
 * daemon's cut of a whole answer down to one page, and the client's merge
 * of a page into the answer gathered so far. One table serves both sides,
 * so what the daemon cuts is what the client puts back together. */
#ifndef RJ_PAGE_H
#define RJ_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* Whether answers of this message type are paged by rj_page_cut. */
bool rj_page_known(const ProtobufCMessageDescriptor *desc);

/* Keep of the whole answer m only the entries at positions [offset, ...) of
 * its sequence while they fit in page bytes (the first one kept always
 * does); the others are freed, unless m lives in an arena (in_arena): then
 * they stay there until it is freed. Returns the position of the first
 * entry not kept, 0 when this page reaches the end. */
uint64_t rj_page_cut(ProtobufCMessage *m, uint64_t offset, size_t page, bool in_arena);

/* Move the sequence entries of page onto the end of whole's lists (a
 * nested list's message, absent in whole, is moved whole); page keeps none
 * of them. Both of the same type. */
void rj_page_merge(ProtobufCMessage *whole, ProtobufCMessage *page);

#endif
