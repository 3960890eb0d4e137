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
#   make demo            boot a guest and show closetrace at work
#   make unit            host unit tests only
#   make checkpatch      kernel coding style of module/

KDIR ?= /lib/modules/$(shell uname -r)/build
CC ?= gcc

.PHONY: all module reader unit check stress fuzz bench demo clean checkpatch

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

demo:
	scripts/demo

checkpatch:
	scripts/checkpatch

clean:
	$(MAKE) -C userspace clean
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tests/fuzz clean
	rm -rf bench/bin bench/smoke.json
	rm -rf build
	rm -f *.o *.ko *.mod *.mod.c modules.order Module.symvers .*.cmd module/*.o module/.*.cmd
