// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * --prometheus: parse /proc/closetrace/summary (format in
 * docs/summary.md) and /proc/closetrace/stats, render the metrics.
 * Strict: a line this reader does not understand, a name it does not
 * know, a count that is not a decimal number, a line missing or repeated
 * is an error, never a metric silently left out.
 *
 * A histogram's count and buckets are per-CPU sums read one after the
 * other while closes go on (docs/summary.md: not a snapshot), so they may
 * disagree by the values added meanwhile. Prometheus wants the +Inf
 * bucket to be the count and no bucket above it: both are written as the
 * larger of hist_count and the buckets' total, which, like each of them,
 * never goes backwards; the values added meanwhile are in the next read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "ct_classify.h"
#include "prom.h"

/* The lines that must appear once: bits of ct_prom.have. */
enum {
	HAVE_VERSION = 1u << 0,
	HAVE_OUTPUT = 1u << 1,
	HAVE_RELEASE0 = 1u << 2,	/* .. + CT_PROM_RELEASES - 1 */
	HAVE_RESET_RECEIVED = 1u << 6,
	HAVE_CLOSE_WAIT = 1u << 7,
	HAVE_END0 = 1u << 8,		/* .. + CT_PROM_ENDS - 1 */
	HAVE_LOST = 1u << 10,
	HAVE_UNTRACKED = 1u << 11,
	HAVE_INCOMPLETE = 1u << 12,
};

static const char *const close_families[CT_PROM_CLOSE_FAMILIES] = { "inet", "inet6" };
static const char *const release_families[CT_PROM_RELEASES] = { "inet", "inet6", "unix", "other" };
static const char *const end_hows[CT_PROM_ENDS] = { "timewait", "closed" };
static const char *const outputs[] = { "ring", "trace", "both", "counters" };

static const struct {
	const char *summary;	/* the module's name */
	const char *metric;	/* ours, in seconds */
	const char *help;
} hists[CT_PROM_HISTS] = {
	{ "close_ns", "closetrace_close_duration_seconds",
	  "How long tcp_close() ran, per TCP close (a linger wait included)." },
	{ "linger_wait_ns", "closetrace_linger_wait_seconds",
	  "How long a TCP close waited under SO_LINGER, per close that waited." },
	{ "orphan_lifetime_ns", "closetrace_orphan_lifetime_seconds",
	  "Time from a TCP socket's close to its end (into TIME_WAIT or closed)." },
};

void ct_prom_init(struct ct_prom *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < CT_PROM_HISTS; i++)
		p->hist[i].last_k = -1;
}

static int fail(char *err, size_t errlen, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (line)
		n = snprintf(err, errlen, "line %u: ", line);
	if (n < 0 || (size_t)n >= errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int lookup(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

/* A count: decimal digits only, fitting 64 bits. */
static int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Split LINE into at most MAX words at spaces and tabs; the word count. */
static int split(char *line, char **w, int max)
{
	int n = 0;
	char *save, *t;

	for (t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

/* Once-only line BIT: set it, or fail if it was already seen. */
static int once(struct ct_prom *p, uint32_t bit)
{
	if (p->have & bit)
		return -1;
	p->have |= bit;
	return 0;
}

static int parse_hist_line(struct ct_prom *p, char **w, int n, unsigned int ln,
			   char *err, size_t errlen)
{
	struct ct_prom_hist *h;
	uint64_t a, b = 0;
	int i, k;

	for (i = 0; i < CT_PROM_HISTS; i++)
		if (n >= 2 && !strcmp(w[1], hists[i].summary))
			break;
	if (n < 2 || i == CT_PROM_HISTS)
		return fail(err, errlen, ln, "%s: unknown histogram '%s'", w[0], n >= 2 ? w[1] : "");
	h = &p->hist[i];
	if (!strcmp(w[0], "hist")) {
		if (n != 4 || parse_u64(w[2], &a) || parse_u64(w[3], &b))
			return fail(err, errlen, ln, "want 'hist NAME LE COUNT'");
		/* LE = 2^k - 1: a + 1 a power of two (or a = 2^64 - 1). */
		if (a == UINT64_MAX)
			k = 64;
		else if ((a & (a + 1)) == 0)
			k = __builtin_ctzll(a + 1);
		else
			return fail(err, errlen, ln, "hist %s: bucket bound %s is not 2^k - 1", w[1], w[2]);
		if (k <= h->last_k)
			return fail(err, errlen, ln, "hist %s: bucket %s not in ascending order", w[1], w[2]);
		h->last_k = k;
		h->bucket[k] = b;
		return 0;
	}
	if (n != 3 || parse_u64(w[2], &a))
		return fail(err, errlen, ln, "want '%s NAME NUMBER'", w[0]);
	if (!strcmp(w[0], "hist_sum")) {
		if (h->have_sum)
			return fail(err, errlen, ln, "hist_sum %s repeated", w[1]);
		h->have_sum = true;
		h->sum_ns = a;
	} else {
		if (h->have_count)
			return fail(err, errlen, ln, "hist_count %s repeated", w[1]);
		h->have_count = true;
		h->count = a;
	}
	return 0;
}

static int parse_summary_line(struct ct_prom *p, char **w, int n, unsigned int ln,
			      char *err, size_t errlen)
{
	uint64_t c;
	int f, a, r, s;

	if (!strcmp(w[0], "output")) {
		if (n != 2 || lookup(outputs, 4, w[1]) < 0)
			return fail(err, errlen, ln, "want 'output ring|trace|both|counters'");
		if (once(p, HAVE_OUTPUT))
			return fail(err, errlen, ln, "output repeated");
		snprintf(p->output, sizeof(p->output), "%s", w[1]);
	} else if (!strcmp(w[0], "close")) {
		if (n != 6 || parse_u64(w[5], &c))
			return fail(err, errlen, ln, "want 'close FAMILY ACTION REASON STATE COUNT'");
		f = lookup(close_families, CT_PROM_CLOSE_FAMILIES, w[1]);
		a = ct_action_from_name(w[2]);
		r = ct_reason_from_name(w[3]);
		s = ct_state_from_name(w[4]);
		if (f < 0)
			return fail(err, errlen, ln, "close: unknown family '%s' (inet, inet6)", w[1]);
		if (a < 0)
			return fail(err, errlen, ln, "close: unknown action '%s' (NONE, FIN, RST)", w[2]);
		if (r < 0)
			return fail(err, errlen, ln, "close: unknown reason '%s'", w[3]);
		if (s < 0)
			return fail(err, errlen, ln, "close: unknown TCP state '%s'", w[4]);
		if (p->close_seen[f][a][r][s])
			return fail(err, errlen, ln, "close %s %s %s %s repeated", w[1], w[2], w[3], w[4]);
		p->close_seen[f][a][r][s] = 1;
		p->close[f][a][r][s] = c;
	} else if (!strcmp(w[0], "release")) {
		if (n != 3 || parse_u64(w[2], &c))
			return fail(err, errlen, ln, "want 'release FAMILY COUNT'");
		f = lookup(release_families, CT_PROM_RELEASES, w[1]);
		if (f < 0)
			return fail(err, errlen, ln, "release: unknown family '%s' (inet, inet6, unix, other)", w[1]);
		if (once(p, HAVE_RELEASE0 << f))
			return fail(err, errlen, ln, "release %s repeated", w[1]);
		p->release[f] = c;
	} else if (!strcmp(w[0], "reset_sent")) {
		if (n != 3 || parse_u64(w[2], &c))
			return fail(err, errlen, ln, "want 'reset_sent REASON COUNT'");
		r = ct_reason_from_name(w[1]);
		if (r < 0)
			return fail(err, errlen, ln, "reset_sent: unknown reason '%s'", w[1]);
		if (p->reset_sent_seen[r])
			return fail(err, errlen, ln, "reset_sent %s repeated", w[1]);
		p->reset_sent_seen[r] = 1;
		p->reset_sent[r] = c;
	} else if (!strcmp(w[0], "reset_received") || !strcmp(w[0], "close_wait_entered")) {
		bool rr = w[0][0] == 'r';

		if (n != 2 || parse_u64(w[1], &c))
			return fail(err, errlen, ln, "want '%s COUNT'", w[0]);
		if (once(p, rr ? HAVE_RESET_RECEIVED : HAVE_CLOSE_WAIT))
			return fail(err, errlen, ln, "%s repeated", w[0]);
		*(rr ? &p->reset_received : &p->close_wait_entered) = c;
	} else if (!strcmp(w[0], "orphan_end")) {
		if (n != 3 || parse_u64(w[2], &c))
			return fail(err, errlen, ln, "want 'orphan_end timewait|closed COUNT'");
		f = lookup(end_hows, CT_PROM_ENDS, w[1]);
		if (f < 0)
			return fail(err, errlen, ln, "orphan_end: unknown end '%s' (timewait, closed)", w[1]);
		if (once(p, HAVE_END0 << f))
			return fail(err, errlen, ln, "orphan_end %s repeated", w[1]);
		p->orphan_end[f] = c;
	} else if (!strcmp(w[0], "hist") || !strcmp(w[0], "hist_sum") || !strcmp(w[0], "hist_count")) {
		return parse_hist_line(p, w, n, ln, err, errlen);
	} else {
		return fail(err, errlen, ln, "unknown line '%s'", w[0]);
	}
	return 0;
}

int ct_prom_parse_summary(struct ct_prom *p, char *text, char *err, size_t errlen)
{
	unsigned int ln = 0, i;
	char *line, *save, *w[8];
	int n;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ln++;	/* (strtok_r skips empty lines; the module writes none) */
		n = split(line, w, 7);
		if (n == 0)
			return fail(err, errlen, ln, "an empty line");
		if (!(p->have & HAVE_VERSION)) {
			uint64_t ver;

			if (strcmp(w[0], "summary_version") || n != 2 || parse_u64(w[1], &ver))
				return fail(err, errlen, ln, "want 'summary_version N' first");
			if (ver != CT_PROM_SUMMARY_VERSION)
				return fail(err, errlen, 0,
					    "summary_version %s: this closetrace reads version %d only (the module and the reader must come from the same release)",
					    w[1], CT_PROM_SUMMARY_VERSION);
			p->summary_version = (int)ver;
			p->have |= HAVE_VERSION;
			continue;
		}
		if (!strcmp(w[0], "summary_version"))
			return fail(err, errlen, ln, "summary_version repeated");
		if (parse_summary_line(p, w, n, ln, err, errlen))
			return -1;
	}
	if (!(p->have & HAVE_VERSION))
		return fail(err, errlen, 0, "empty (no summary_version line)");
	if (!(p->have & HAVE_OUTPUT))
		return fail(err, errlen, 0, "no 'output' line");
	for (i = 0; i < CT_PROM_RELEASES; i++)
		if (!(p->have & (HAVE_RELEASE0 << i)))
			return fail(err, errlen, 0, "no 'release %s' line", release_families[i]);
	if (!(p->have & HAVE_RESET_RECEIVED))
		return fail(err, errlen, 0, "no 'reset_received' line");
	if (!(p->have & HAVE_CLOSE_WAIT))
		return fail(err, errlen, 0, "no 'close_wait_entered' line");
	for (i = 0; i < CT_PROM_ENDS; i++)
		if (!(p->have & (HAVE_END0 << i)))
			return fail(err, errlen, 0, "no 'orphan_end %s' line", end_hows[i]);
	for (i = 0; i < CT_PROM_HISTS; i++) {
		const struct ct_prom_hist *h = &p->hist[i];

		if (!h->have_sum || !h->have_count)
			return fail(err, errlen, 0, "no 'hist_%s %s' line",
				    h->have_sum ? "count" : "sum", hists[i].summary);
	}
	return 0;
}

int ct_prom_parse_stats(struct ct_prom *p, char *text, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		uint32_t bit;
		size_t off;
	} want[] = {
		{ "events_lost", HAVE_LOST, offsetof(struct ct_prom, events_lost) },
		{ "untracked", HAVE_UNTRACKED, offsetof(struct ct_prom, untracked) },
		{ "incomplete", HAVE_INCOMPLETE, offsetof(struct ct_prom, incomplete) },
	};
	unsigned int ln = 0, i;
	char *line, *save, *w[8];
	int n;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ln++;
		n = split(line, w, 7);
		for (i = 0; n == 2 && i < sizeof(want) / sizeof(want[0]); i++) {
			if (strcmp(w[0], want[i].name))
				continue;
			if (parse_u64(w[1], (uint64_t *)((char *)p + want[i].off)))
				return fail(err, errlen, ln, "%s: '%s' is not a count", w[0], w[1]);
			if (once(p, want[i].bit))
				return fail(err, errlen, ln, "%s repeated", w[0]);
		}
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!(p->have & want[i].bit))
			return fail(err, errlen, 0, "no '%s' line", want[i].name);
	return 0;
}

void ct_prom_ns_to_s(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / 1000000000u, frac = ns % 1000000000u;
	int digits = 9;

	if (!frac) {
		snprintf(buf, len, "%" PRIu64, s);
		return;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64, s, digits, frac);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int ct_prom_write(FILE *f, const struct ct_prom *p)
{
	unsigned int fa, a, r, s, i;
	char num[32];
	int k;

	family(f, "closetrace_closes_total", "counter",
	       "TCP closes by address family, what the kernel sent (NONE, FIN, RST), why, and the state before the close.");
	for (fa = 0; fa < CT_PROM_CLOSE_FAMILIES; fa++)
		for (a = 0; a < CT_ACT_MAX; a++)
			for (r = 0; r < CT_R_MAX; r++)
				for (s = 0; s < CT_TCP_MAX_STATES; s++)
					if (p->close_seen[fa][a][r][s])
						fprintf(f, "closetrace_closes_total{family=\"%s\",action=\"%s\",reason=\"%s\",state=\"%s\"} %" PRIu64 "\n",
							close_families[fa], ct_action_name(a), ct_reason_name(r),
							ct_state_name(s), p->close[fa][a][r][s]);
	family(f, "closetrace_releases_total", "counter",
	       "Releases of sockets other than TCP, by family (inet and inet6: UDP and other non-TCP protocols).");
	for (i = 0; i < CT_PROM_RELEASES; i++)
		fprintf(f, "closetrace_releases_total{family=\"%s\"} %" PRIu64 "\n",
			release_families[i], p->release[i]);
	family(f, "closetrace_resets_sent_total", "counter",
	       "RSTs sent for closing or closed TCP sockets, by closetrace's reason.");
	for (r = 0; r < CT_R_MAX; r++)
		if (p->reset_sent_seen[r])
			fprintf(f, "closetrace_resets_sent_total{reason=\"%s\"} %" PRIu64 "\n",
				ct_reason_name(r), p->reset_sent[r]);
	family(f, "closetrace_resets_received_total", "counter",
	       "RSTs received by any TCP socket (the kernel's tcp_reset()).");
	fprintf(f, "closetrace_resets_received_total %" PRIu64 "\n", p->reset_received);
	family(f, "closetrace_close_wait_entered_total", "counter",
	       "TCP sockets that entered CLOSE_WAIT (the peer closed first).");
	fprintf(f, "closetrace_close_wait_entered_total %" PRIu64 "\n", p->close_wait_entered);
	family(f, "closetrace_orphan_ends_total", "counter",
	       "Orphaned TCP sockets that ended, by how: as a timewait socket, or closed.");
	for (i = 0; i < CT_PROM_ENDS; i++)
		fprintf(f, "closetrace_orphan_ends_total{how=\"%s\"} %" PRIu64 "\n",
			end_hows[i], p->orphan_end[i]);
	for (i = 0; i < CT_PROM_HISTS; i++) {
		const struct ct_prom_hist *h = &p->hist[i];
		uint64_t cum = 0, count;

		family(f, hists[i].metric, "histogram", hists[i].help);
		/* Every bucket, always: a series per bound that never comes and goes. */
		for (k = 0; k < CT_PROM_BUCKETS; k++) {
			cum += h->bucket[k];
			ct_prom_ns_to_s(num, sizeof(num), k == 64 ? UINT64_MAX : (UINT64_C(1) << k) - 1);
			fprintf(f, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", hists[i].metric, num, cum);
		}
		count = cum > h->count ? cum : h->count;	/* see the top */
		fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", hists[i].metric, count);
		ct_prom_ns_to_s(num, sizeof(num), h->sum_ns);
		fprintf(f, "%s_sum %s\n%s_count %" PRIu64 "\n", hists[i].metric, num,
			hists[i].metric, count);
	}
	family(f, "closetrace_lost_records_total", "counter",
	       "Records lost because the ring was full (stats events_lost).");
	fprintf(f, "closetrace_lost_records_total %" PRIu64 "\n", p->events_lost);
	family(f, "closetrace_untracked_total", "counter",
	       "Closing sockets not followed because the tracking table was full (stats untracked).");
	fprintf(f, "closetrace_untracked_total %" PRIu64 "\n", p->untracked);
	family(f, "closetrace_incomplete_total", "counter",
	       "Closes recorded at their entry only, past max_closing (stats incomplete).");
	fprintf(f, "closetrace_incomplete_total %" PRIu64 "\n", p->incomplete);
	return ferror(f) ? -1 : 0;
}
