/*
 * query: evaluation of RouterOS API print queries ("?" words) against one
 * item. Pure: items are reached through a lookup callback.
 *
 * Supported words (MikroTik API manual):
 *   ?name=value, ?=name=value  push "property equals value"
 *   ?name                      push "item has the property"
 *   ?-name                     push "item lacks the property"
 *   ?<name=value, ?>name=value push "less/greater than" (numeric when both
 *                              sides are decimal integers, else bytewise)
 *   ?#ops                      stack operations, left to right:
 *                              |  pop two, push OR      &  pop two, push AND
 *                              !  negate the top        .  ignored (ends an index)
 *                              digits: index from the top (0 = top); an index
 *                              followed by another char pushes a copy of that
 *                              value, an index ending the word replaces the
 *                              whole stack with that value.
 * After the last word, every value left on the stack must be true (AND).
 */
#ifndef FR_QUERY_H
#define FR_QUERY_H

#include <stddef.h>

#include "wire.h"

/* Finds property name (nlen bytes) of item: returns 1 and sets val and vlen
 * when present, 0 when the item has no such property. The value must stay
 * valid until the next lookup. */
typedef int (*query_lookup_fn)(void *item, const char *name, size_t nlen, const char **val,
                               size_t *vlen);

enum { QUERY_FALSE = 0, QUERY_TRUE = 1, QUERY_E_SYNTAX = -1 };

/* Evaluates the n query words (each starting with '?') against item.
 * Returns QUERY_TRUE, QUERY_FALSE, or QUERY_E_SYNTAX for a malformed query
 * (stack underflow, unknown operator, stack too deep). n == 0 is TRUE. */
int query_eval(const struct wire_word *words, size_t n, query_lookup_fn lookup, void *item);

#endif
