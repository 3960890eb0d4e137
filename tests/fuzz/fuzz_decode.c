/*
 * libFuzzer target: the reader's decoding of a record stream, as
 * userspace/closetrace.c does it: validate each record, then filter, render
 * it as a table line, JSON, CSV and key=value text, hold it in the reorder
 * window, and add it to the summary. Inputs are arbitrary bytes: random, truncated, wrong versions,
 * any type, any field value (unterminated comm, out-of-range enums, ...).
 * Built with ASan and UBSan; any report or crash fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "ct_format.h"
#include "decode.h"
#include "fields.h"
#include "order.h"

static FILE *sink;
static char text[CT_TEXT_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ct_out_opts o = { .wide = size & 1, .ts = (enum ct_ts_mode)((size >> 1) % 3),
				 .wall_off_ns = (long long)size * 1000000007ll };
	struct ct_order q;
	struct ct_match m = { .pid = -1, .port = -1, .comm = NULL, .uid = -1 };
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
	if (size > 2 && data[2] & 1) {
		m.types = data[2];
		m.actions = size > 3 ? data[3] : 0;
		m.family = data[2] & 2 ? 2 : 10;
		m.uid = data[2] & 8 ? 0 : 65534;
		ct_parse_net(data[2] & 4 ? "10.0.0.0/7" : "fe80::/9", &m.laddr);
		ct_parse_ports("80,1,65535", m.lports, &m.nlports);
	}
	if (ct_order_init(&q, size, 4))
		return 0;
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
		fwrite(text, 1, (size_t)(ct_put_table(text, &ev, &o) - text), sink);
		fwrite(text, 1, (size_t)(ct_put_json(text, &ev) - text), sink);
		fwrite(text, 1, (size_t)(ct_put_csv(text, &ev) - text), sink);
		{
			struct ct_event out;

			if (ct_order_push(&q, &ev, &out))
				fwrite(&out, 1, 1, sink);
			if (ct_order_pop_ready(&q, ev.ts_ns, &out))
				fwrite(&out, 1, 1, sink);
		}
	}
	{
		struct ct_event out;

		while (ct_order_pop(&q, &out))
			fwrite(&out, 1, 1, sink);
	}
	ct_order_free(&q);
	ct_summary_print(sink, &sum);
	return 0;
}
