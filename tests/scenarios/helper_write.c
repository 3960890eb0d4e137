/* helper_write FILE: write all of stdin to FILE in one write(2); exit 0 if the
 * write succeeded in full, 1 (with the error) otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	size_t len = 0;
	ssize_t n;
	int fd;

	if (argc != 2)
		return 2;
	while ((n = read(0, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	fd = open(argv[1], O_WRONLY);
	if (fd < 0)
		return 2;
	n = write(fd, buf, len);
	if (n != (ssize_t)len) {
		printf("%s\n", n < 0 ? strerror(errno) : "short write");
		return 1;
	}
	return 0;
}
