/* store_pglib.c — see store_pglib.h. */
#define STORE_PGLIB_IMPLEMENTATION
#include "store_pglib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The soname of libpq 14 and later (Debian: libpq5). */
#define LIBPQ_SONAME "libpq.so.5"

#define STORE_PGLIB_DEFINE(name) __typeof__(name) *store_pglib_##name;
STORE_PGLIB_FUNCTIONS(STORE_PGLIB_DEFINE)
#undef STORE_PGLIB_DEFINE

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[300]; /* "" once every function resolved */

/* dlsym's object pointer as a function pointer: POSIX guarantees the
 * conversion, ISO C has no cast for it, so the bits are copied. */
static int resolve(void *lib, const char *name, void *fn_ptr, size_t size)
{
	void *sym = dlsym(lib, name);
	if (!sym || size != sizeof sym) {
		snprintf(load_error, sizeof load_error,
		         "PostgreSQL: %s has no %s (libpq 14 or later is needed)", LIBPQ_SONAME,
		         name);
		return -1;
	}
	memcpy(fn_ptr, &sym, sizeof sym);
	return 0;
}

static void load(void)
{
	void *lib = dlopen(LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		snprintf(load_error, sizeof load_error,
		         "PostgreSQL needs libpq (Debian package libpq5): %s",
		         why ? why : "cannot load " LIBPQ_SONAME);
		return;
	}
#define STORE_PGLIB_RESOLVE(name)                                                                  \
	if (resolve(lib, #name, &store_pglib_##name, sizeof store_pglib_##name) < 0)               \
		return;
	STORE_PGLIB_FUNCTIONS(STORE_PGLIB_RESOLVE)
#undef STORE_PGLIB_RESOLVE
}

int store_pglib_load(char *err, size_t errsz)
{
	pthread_once(&load_once, load);
	if (!load_error[0])
		return 0;
	if (err && errsz)
		snprintf(err, errsz, "%s", load_error);
	return -1;
}
