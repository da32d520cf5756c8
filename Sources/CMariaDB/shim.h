#ifndef CMARIADB_SHIM_H
#define CMARIADB_SHIM_H
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

/* mysql_library_init is a macro; Swift calls this once before any thread connects. */
static inline int cmariadb_library_init(void) { return mysql_server_init(0, 0, 0); }
#endif
