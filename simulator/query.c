#include "query.h"

#include <string.h>

#define QUERY_STACK_MAX 256

struct qstack {
	unsigned char v[QUERY_STACK_MAX];
	size_t n;
};

static int push(struct qstack *s, int v)
{
	if (s->n >= QUERY_STACK_MAX)
		return -1;
	s->v[s->n++] = v ? 1 : 0;
	return 0;
}

/* 1 if s (n bytes) is a non-empty run of decimal digits. */
static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Compares two values: numerically when both are decimal integers (leading
 * zeros ignored), else bytewise. Returns <0, 0, >0. */
static int value_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	if (all_digits(a, an) && all_digits(b, bn)) {
		while (an > 1 && *a == '0')
			a++, an--;
		while (bn > 1 && *b == '0')
			b++, bn--;
		if (an != bn)
			return an < bn ? -1 : 1;
		return memcmp(a, b, an);
	}
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c != 0 || an == bn)
		return c;
	return an < bn ? -1 : 1;
}

/* Applies one "?#" operator string to the stack. */
static int run_ops(struct qstack *s, const char *ops, size_t n)
{
	size_t i = 0;
	while (i < n) {
		char c = ops[i];
		if (c >= '0' && c <= '9') {
			size_t idx = 0;
			while (i < n && ops[i] >= '0' && ops[i] <= '9' && idx < QUERY_STACK_MAX)
				idx = idx * 10 + (size_t)(ops[i++] - '0');
			if (idx >= s->n)
				return -1;
			int v = s->v[s->n - 1 - idx];
			if (i == n) {
				s->n = 0; /* an index ending the word replaces the stack */
				return push(s, v);
			}
			if (push(s, v) < 0)
				return -1;
			continue;
		}
		if (c == '|' || c == '&') {
			if (s->n < 2)
				return -1;
			int b = s->v[--s->n], a = s->v[--s->n];
			push(s, c == '|' ? (a || b) : (a && b));
		} else if (c == '!') {
			if (s->n < 1)
				return -1;
			s->v[s->n - 1] = !s->v[s->n - 1];
		} else if (c != '.') {
			return -1;
		}
		i++;
	}
	return 0;
}

/* Evaluates a comparison word body "name=value" with op '=', '<' or '>'. */
static int compare_word(const char *body, size_t n, char op, query_lookup_fn lookup, void *item)
{
	const char *eq = memchr(body, '=', n);
	if (!eq)
		return -1;
	const char *want = eq + 1;
	size_t wn = n - (size_t)(want - body);
	const char *val;
	size_t vlen;
	if (!lookup(item, body, (size_t)(eq - body), &val, &vlen))
		return 0;
	int c = value_cmp(val, vlen, want, wn);
	if (op == '=')
		return vlen == wn && memcmp(val, want, wn) == 0;
	return op == '<' ? c < 0 : c > 0;
}

/* Evaluates one query word (without its leading '?') onto the stack. */
static int eval_word(struct qstack *s, const char *w, size_t n, query_lookup_fn lookup, void *item)
{
	const char *val;
	size_t vlen;
	if (n == 0)
		return -1;
	if (w[0] == '#')
		return run_ops(s, w + 1, n - 1);
	if (w[0] == '-')
		return push(s, !lookup(item, w + 1, n - 1, &val, &vlen));
	if (w[0] == '<' || w[0] == '>' || w[0] == '=') {
		int r = compare_word(w + 1, n - 1, w[0], lookup, item);
		return r < 0 ? -1 : push(s, r);
	}
	if (memchr(w, '=', n)) {
		int r = compare_word(w, n, '=', lookup, item);
		return r < 0 ? -1 : push(s, r);
	}
	return push(s, lookup(item, w, n, &val, &vlen));
}

int query_eval(const struct wire_word *words, size_t n, query_lookup_fn lookup, void *item)
{
	struct qstack s = {.n = 0};
	for (size_t i = 0; i < n; i++) {
		if (words[i].n < 1 || words[i].p[0] != '?')
			return QUERY_E_SYNTAX;
		if (eval_word(&s, words[i].p + 1, words[i].n - 1, lookup, item) < 0)
			return QUERY_E_SYNTAX;
	}
	for (size_t i = 0; i < s.n; i++)
		if (!s.v[i])
			return QUERY_FALSE;
	return QUERY_TRUE;
}
