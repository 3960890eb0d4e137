/* helper_fault: read closetrace's events into a buffer whose first record
 * crosses into an unmapped page (EFAULT expected), then into a good one.
 * Prints "records N" read in all; exit 1 if the fault was not reported. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ct_abi.h"

int main(void)
{
	static struct ct_event good[4096];
	long page = sysconf(_SC_PAGESIZE);
	int fd = open("/sys/kernel/debug/closetrace/events", O_RDONLY | O_NONBLOCK);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ssize_t n;
	long total = 0;

	if (fd < 0 || p == MAP_FAILED || munmap(p + page, page)) {
		perror("helper_fault: setup");
		return 2;
	}
	n = read(fd, p + page - 100, 4 * sizeof(struct ct_event));
	if (n != -1 || errno != EFAULT) {
		fprintf(stderr, "helper_fault: read into a bad buffer gave %zd (%s)\n", n,
			n < 0 ? strerror(errno) : "no error");
		return 1;
	}
	while ((n = read(fd, good, sizeof(good))) > 0)
		total += n / (long)sizeof(struct ct_event);
	if (n < 0 && errno != EAGAIN) {
		perror("helper_fault: read");
		return 2;
	}
	printf("records %ld\n", total);
	return 0;
}
