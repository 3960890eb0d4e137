/* mkseeds DIR: seed inputs for fuzz_decode: one well-formed record of each
 * type, a stream of all of them, and one cut short. */
#include <stdio.h>
#include <string.h>
#include "ct_abi.h"

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		return;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	static struct ct_event all[CT_EV_MAX];
	char name[32];
	int t;

	if (argc != 2)
		return 2;
	for (t = 1; t < CT_EV_MAX; t++) {
		struct ct_event *e = &all[t - 1];

		memset(e, 0, sizeof(*e));
		e->magic = CT_MAGIC;
		e->version = CT_ABI_VERSION;
		e->size = sizeof(*e);
		e->type = t;
		e->ts_ns = 1000000000ull * t;
		e->close_id = t;
		e->pid = 100 + t;
		strcpy(e->comm, "seed");
		e->family = t & 1 ? 2 : 10;	/* AF_INET, AF_INET6 */
		e->protocol = 6;
		e->sock_type = 1;
		e->sport = 80;
		e->dport = 40000 + t;
		e->saddr[0] = 127;
		e->daddr[0] = 127;
		e->fd = 3;
		e->count = t;
		snprintf(name, sizeof(name), "type%d", t);
		put(argv[1], name, e, sizeof(*e));
	}
	put(argv[1], "stream", all, sizeof(all[0]) * (CT_EV_MAX - 1));
	put(argv[1], "truncated", all, sizeof(all[0]) + 40);
	return 0;
}
