# closetrace — top-level Makefile.
#
#   make                 build closetrace.ko for the running kernel (or KDIR=...)
#                        and the reader userspace/closetrace
#   make module KDIR=..  the module only, against the given kernel build tree
#   make reader          the reader only
#   make check           the whole test suite (host unit tests + QEMU guest)
#   make stress          the full reliability run (1M closes, 200 unload
#                        cycles, long fuzzing; see docs/reliability.md)
#   make fuzz            fuzz the reader's decoder (SECONDS=30)
#   make bench           the overhead benchmark (docs/performance.md)
#   make profile         where the instructions go, per function
#                        (scripts/profile, docs/performance.md)
#   make demo            boot a guest and show closetrace at work
#   make unit            host unit tests only
#   make checkpatch      kernel coding style of module/
#   make install         the module (for KDIR's kernel, into
#                        /lib/modules/KREL/extra), the reader in
#                        PREFIX/sbin, closetrace(8) and the docs; honours
#                        DESTDIR and PREFIX (default /usr/local)
#   make install-reader  the reader, its man page and docs only
#   make install-dkms    the module's source into /usr/src/closetrace-VERSION
#                        for DKMS (then: dkms install closetrace/VERSION)
#   make check-packages  the packages as a user installs them: in a root of
#                        each release, apt installs them, its dkms builds
#                        the module, a guest boots it (docs/packaging.md)
#   make deb             Debian packages closetrace and closetrace-dkms into
#                        build/deb/ (dpkg-buildpackage, debhelper, dh-dkms)

KDIR ?= /lib/modules/$(shell uname -r)/build
CC ?= gcc
PREFIX ?= /usr/local
DESTDIR ?=
# One version: the reader's, which module/main.c, dkms.conf and
# debian/changelog repeat (tests/host/t_install.sh checks that they agree).
VERSION := $(shell sed -n 's/^\#define CT_VERSION "\(.*\)"$$/\1/p' userspace/closetrace.c)
INSTALL ?= install

.PHONY: all module reader unit check stress fuzz bench profile demo clean checkpatch \
	install install-module install-reader install-dkms deb check-packages

all: module reader

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

reader:
	$(MAKE) -C userspace

unit:
	$(MAKE) -C tests/unit run

check:
	tests/run

stress:
	tests/stress

fuzz:
	$(MAKE) -C tests/fuzz run

bench:
	scripts/bench

profile:
	scripts/profile

demo:
	scripts/demo

checkpatch:
	scripts/checkpatch

install: install-module install-reader

# The kernel's modules_install: INSTALL_MOD_PATH is the DESTDIR; it runs
# depmod for KDIR's kernel release (when it has a System.map).
install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install

install-reader: reader
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/doc/closetrace/examples
	$(INSTALL) -m 0755 userspace/closetrace $(DESTDIR)$(PREFIX)/sbin/closetrace
	$(INSTALL) -m 0644 docs/closetrace.8 $(DESTDIR)$(PREFIX)/share/man/man8/closetrace.8
	$(INSTALL) -m 0644 docs/record-format.md $(DESTDIR)$(PREFIX)/share/doc/closetrace/record-format.md
	$(INSTALL) -m 0644 docs/closetrace-modprobe.conf \
		$(DESTDIR)$(PREFIX)/share/doc/closetrace/examples/closetrace.conf

# What DKMS builds from: dkms.conf, Kbuild and module/ (dkms.conf's MAKE
# calls the kernel's build with M= this tree).
install-dkms:
	$(INSTALL) -d $(DESTDIR)/usr/src/closetrace-$(VERSION)/module
	$(INSTALL) -m 0644 dkms.conf Kbuild $(DESTDIR)/usr/src/closetrace-$(VERSION)/
	$(INSTALL) -m 0644 module/*.c module/*.h $(DESTDIR)/usr/src/closetrace-$(VERSION)/module/
	$(INSTALL) -d $(DESTDIR)/usr/src/closetrace-$(VERSION)/module/trace
	$(INSTALL) -m 0644 module/trace/*.h $(DESTDIR)/usr/src/closetrace-$(VERSION)/module/trace/

deb:
	scripts/make-deb

check-packages:
	tests/check-packages

clean:
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/fuzz clean
	rm -rf bench/bin bench/smoke.json
	rm -rf build
	rm -f *.o *.ko *.mod *.mod.c modules.order Module.symvers .*.cmd module/*.o module/.*.cmd
