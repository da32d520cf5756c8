#ifndef CJANSSON_SHIM_H
#define CJANSSON_SHIM_H
#include <jansson.h>

/* Swift cannot call jansson's macros and inline reference counting; these wrap them. */
static inline json_type cjansson_typeof(const json_t *value) { return json_typeof(value); }
static inline void cjansson_decref(json_t *value) { json_decref(value); }
static inline json_t *cjansson_incref(json_t *value) { return json_incref(value); }
static inline int cjansson_is_integer(const json_t *value) { return json_is_integer(value); }
static inline const char *cjansson_error_text(const json_error_t *error) { return error->text; }
static inline int cjansson_error_line(const json_error_t *error) { return error->line; }
static inline size_t cjansson_real_precision(int digits) { return JSON_REAL_PRECISION(digits); }
static inline int cjansson_error_column(const json_error_t *error) { return error->column; }
#endif
