/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * One description of the record: the field table that JSON, CSV, the CSV
 * header and --help's field list are all made from (as lttng-modules'
 * event_fields[]). Adding a field to the output is one line in fields.c.
 *
 * The renderers write into a caller's buffer without printf: the reader
 * keeps at least CT_TEXT_MAX bytes free and writes many records at once.
 */
#ifndef CT_FIELDS_H
#define CT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "ct_abi.h"

/*
 * The most one record takes in any format, newline included (the JSON
 * renderer may write up to CT_KEY_LEN bytes past its end, within this).
 */
#define CT_TEXT_MAX 4096

/* How a field's bytes are shown. */
enum ct_field_kind {
	CT_K_UNSIGNED,		/* a number of 1, 2, 4 or 8 bytes */
	CT_K_SIGNED,
	CT_K_TYPE,		/* enum ct_type by name */
	CT_K_STATE,		/* enum ct_tcp_state by name */
	CT_K_ACTION,		/* enum ct_action */
	CT_K_REASON,		/* enum ct_reason */
	CT_K_DEATH,		/* enum ct_reason, "-" for none */
	CT_K_KRST,		/* enum ct_krst */
	CT_K_FLAGS,		/* CT_F_* names */
	CT_K_COMM,		/* the closer's comm */
	CT_K_SRC,		/* local address:port */
	CT_K_DST,		/* remote address:port */
};

/* A field's JSON key with its lead comma, ,"name": padded: copied whole. */
#define CT_KEY_LEN 24

struct ct_field {
	const char *name;	/* JSON key and CSV column */
	char key[CT_KEY_LEN];	/* ,"name": (no NUL when it fills the array) */
	unsigned char keylen;	/* its length */
	unsigned char kind;	/* enum ct_field_kind */
	unsigned char width;	/* bytes, for numbers */
	unsigned short off;	/* offset in struct ct_event */
	const char *doc;	/* one line for --help's field list */
};

extern const struct ct_field ct_fields[];
extern const unsigned int ct_nfields;

/* Each returns the end of what it wrote at p (no NUL). */
char *ct_put_json(char *p, const struct ct_event *ev);
char *ct_put_csv(char *p, const struct ct_event *ev);
char *ct_put_csv_header(char *p);

/* Small pieces the table view uses too. */
char *ct_put_u64_slow(char *p, unsigned long long v);
/* Most values are one digit: that case inline, the rest out of line. */
static inline char *ct_put_u64(char *p, unsigned long long v)
{
	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	return ct_put_u64_slow(p, v);
}
char *ct_put_s64(char *p, long long v);
char *ct_put_str(char *p, const char *s);
/* comm as text: printable ASCII, others '?'; csv: ',' and '"' too. */
char *ct_put_comm(char *p, const char *comm, bool csv);
/* "1.2.3.4:80", "[::1]:80" or "-". */
char *ct_put_addr(char *p, unsigned int family, const unsigned char *addr,
		  unsigned int port);

/* --help's list of fields, from the table. */
void ct_print_field_list(FILE *f);

#endif /* CT_FIELDS_H */
