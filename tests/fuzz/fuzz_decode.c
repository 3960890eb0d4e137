/*
 * libFuzzer target: the reader's decoding of a record stream, as
 * userspace/closetrace.c does it: validate each record, then filter, render
 * it as a table line, JSON, CSV and key=value text, and add it to the
 * summary. Inputs are arbitrary bytes: random, truncated, wrong versions,
 * any type, any field value (unterminated comm, out-of-range enums, ...).
 * Built with ASan and UBSan; any report or crash fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ct_format.h"
#include "decode.h"

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_out_opts o = { .wide = size & 1, .timestamps = size & 2 };
	struct ct_match m = { .pid = -1, .port = -1, .comm = NULL };
	struct ct_summary sum;
	char msg[256], line[CT_LINE_LEN];
	size_t off = 0;

	if (!sink)
		sink = fopen("/dev/null", "w");
	memset(&sum, 0, sizeof(sum));
	if (size > 0 && data[0] & 1) {
		m.pid = data[0];
		m.port = size > 1 ? data[1] : 0;
		m.comm = "x";
	}
	while (off < size) {
		size_t left = size - off;
		enum ct_check chk = ct_check_record(data + off, left);
		struct ct_event ev;

		if (chk != CT_OK) {
			ct_check_message(chk, data + off, left, msg, sizeof(msg));
			break;
		}
		/* The reader reads into an aligned array of records. */
		memcpy(&ev, data + off, sizeof(ev));
		off += sizeof(ev);
		ct_fmt_kv(line, sizeof(line), &ev);
		if (!ct_matches(&ev, &m))
			continue;
		if (!o.t0)
			o.t0 = ev.ts_ns;
		ct_summary_add(&sum, &ev);
		ct_print_table(sink, &ev, &o);
		ct_print_json(sink, &ev);
		ct_print_csv(sink, &ev);
	}
	ct_summary_print(sink, &sum);
	return 0;
}
