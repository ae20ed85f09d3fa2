// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest-side helpers for driver-less tests of the emulated OIO card.
 */
#define _GNU_SOURCE
#include "oiotest.h"
#include "vmctl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* TAP state: one test program is one process, so a file-scope counter. */
static int tap_count;
static int tap_failed;

void tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void tap_todo(bool cond, const char *todo, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # TODO %s\n", todo);
	fflush(stdout);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

static int read_hex(const char *dir, const char *file, unsigned int *v)
{
	char path[512], buf[32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	*v = (unsigned int)strtoul(buf, NULL, 16);
	return 0;
}

static void *map_bar(const char *bdf, int bar, size_t len)
{
	char path[128];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d",
		 bdf, bar);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The harness names cards oio0..N-1; match them by serial number. */
static void match_qom(struct oio_card *c, int ncards)
{
	uint32_t serial = rd(c, OIO_REG_SERIAL);
	char path[64], out[64];
	int i;

	snprintf(c->qom, sizeof(c->qom), "?");
	for (i = 0; i < ncards + 8; i++) {
		snprintf(path, sizeof(path), "/machine/peripheral/oio%d", i);
		if (vm_qom_get(path, "serial", out, sizeof(out)) == 0 &&
		    strtoul(out, NULL, 10) == serial) {
			snprintf(c->qom, sizeof(c->qom), "%s", path);
			return;
		}
	}
}

int oiot_cards(struct oio_card *cards, int max)
{
	struct dirent **list;
	int n, i, found = 0;

	n = scandir("/sys/bus/pci/devices", &list, NULL, by_name);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		char dir[300];
		unsigned int ven, dev;
		struct oio_card *c;
		uint32_t geom;

		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s",
			 list[i]->d_name);
		if (read_hex(dir, "vendor", &ven) || read_hex(dir, "device", &dev) ||
		    ven != OIO_PCI_VENDOR_ID || dev != OIO_PCI_DEVICE_ID ||
		    found >= max)
			continue;
		c = &cards[found];
		memset(c, 0, sizeof(*c));
		snprintf(c->bdf, sizeof(c->bdf), "%.31s", list[i]->d_name);
		/* No driver enabled it: a hot-added card does not decode yet. */
		pci_mem_enable(c);
		c->regs = map_bar(c->bdf, OIO_BAR_REGS, OIO_BAR0_SIZE);
		c->msix = map_bar(c->bdf, OIO_BAR_MSIX, 4096);
		if (!c->regs)
			continue;
		geom = rd(c, OIO_REG_GEOMETRY);
		c->ports = geom & OIO_GEOM_PORTS_MASK;
		c->wavelengths = (geom & OIO_GEOM_WAVELENGTHS_MASK) >>
				 OIO_GEOM_WAVELENGTHS_SHIFT;
		c->lanes = c->ports * c->wavelengths;
		c->rings = (geom & OIO_GEOM_RINGS_MASK) >> OIO_GEOM_RINGS_SHIFT;
		found++;
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	for (i = 0; i < found; i++)
		match_qom(&cards[i], found);
	return found;
}

uint8_t rd8(const struct oio_card *c, uint32_t off)
{
	return ((volatile uint8_t *)c->regs)[off];
}

uint16_t rd16(const struct oio_card *c, uint32_t off)
{
	return *(volatile uint16_t *)((volatile uint8_t *)c->regs + off);
}

void wr8(const struct oio_card *c, uint32_t off, uint8_t v)
{
	((volatile uint8_t *)c->regs)[off] = v;
}

static int cfg_fd(const struct oio_card *c, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", c->bdf);
	return open(path, flags);
}

int pci_cfg_read(const struct oio_card *c, unsigned int off, void *buf,
		 size_t len)
{
	int fd = cfg_fd(c, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

int pci_cfg_write(const struct oio_card *c, unsigned int off,
		  const void *buf, size_t len)
{
	int fd = cfg_fd(c, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pwrite(fd, buf, len, off);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* Set and clear bits of the PCI command register. */
static void pci_command(const struct oio_card *c, uint16_t set, uint16_t clear)
{
	uint16_t cmd = 0;

	pci_cfg_read(c, 4, &cmd, 2);
	cmd = (cmd | set) & ~clear;
	pci_cfg_write(c, 4, &cmd, 2);
}

void pci_bus_master(const struct oio_card *c, bool on)
{
	if (on)
		pci_command(c, 0x6, 0);
	else
		pci_command(c, 0, 0x4);
}

void pci_mem_enable(const struct oio_card *c)
{
	pci_command(c, 0x2, 0);
}

unsigned int pci_find_cap(const struct oio_card *c, uint8_t id)
{
	uint8_t pos = 0, hdr[2];
	int guard = 48;

	if (pci_cfg_read(c, 0x34, &pos, 1))
		return 0;
	while (pos && guard--) {
		if (pci_cfg_read(c, pos, hdr, 2))
			return 0;
		if (hdr[0] == id)
			return pos;
		pos = hdr[1];
	}
	return 0;
}

/* Bus address of a locked page: the guest has no IOMMU. */
static uint64_t virt_to_phys(void *va)
{
	uint64_t entry = 0;
	long page = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = (off_t)((uintptr_t)va / page) * 8;

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, 8, off) != 8 || !(entry >> 63)) {
		close(fd);
		return 0;
	}
	close(fd);
	return (entry & ((1ull << 55) - 1)) * page + (uintptr_t)va % page;
}

int dma_alloc(struct dma_buf *b, size_t len)
{
	const size_t huge = 2 << 20;

	if (len > huge)
		return -EINVAL;
	b->len = huge;
	b->va = mmap(NULL, huge, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		     -1, 0);
	if (b->va == MAP_FAILED)
		return -errno;
	memset(b->va, 0, huge);
	if (mlock(b->va, huge)) {
		munmap(b->va, huge);
		return -errno;
	}
	b->pa = virt_to_phys(b->va);
	if (!b->pa) {
		munmap(b->va, huge);
		return -EIO;
	}
	return 0;
}

void dma_free(struct dma_buf *b)
{
	if (b->va && b->va != MAP_FAILED)
		munmap(b->va, b->len);
	b->va = NULL;
}

int qset(const struct oio_card *c, const char *prop, const char *json)
{
	return vm_qom_set(c->qom, prop, json);
}

int qset_int(const struct oio_card *c, const char *prop, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return qset(c, prop, buf);
}

long long qget_int(const struct oio_card *c, const char *prop)
{
	char out[64];
	int err = vm_qom_get(c->qom, prop, out, sizeof(out));

	if (err) {
		tap_diag("  qom-get %s %s: %s", c->qom, prop, strerror(-err));
		return -1;
	}
	return strtoll(out, NULL, 10);
}

long long qget_mmio(const struct oio_card *c)
{
	long long r = qget_int(c, "mmio-reads"), w = qget_int(c, "mmio-writes");

	return r < 0 || w < 0 ? -1 : r + w;
}

long long mmio_spent(long long m0, long long m1)
{
	return m0 < 0 || m1 < 0 ? -1 : m1 - m0;
}

long log_count(const char *text)
{
	return vm_log_count(text);
}

void sleep_us(unsigned long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void card_reset(const struct oio_card *c)
{
	wr(c, OIO_REG_RESET, OIO_RESET_KEY);
}

bool wait_reg(const struct oio_card *c, uint32_t off, uint32_t mask,
	      uint32_t val, unsigned int timeout_ms)
{
	uint64_t end = now_us() + timeout_ms * 1000ull;

	do {
		if ((rd(c, off) & mask) == val)
			return true;
		sleep_us(100);
	} while (now_us() < end);
	return (rd(c, off) & mask) == val;
}

uint32_t wait_engine(const struct oio_card *c, uint32_t status_reg,
		     unsigned int timeout_ms)
{
	uint64_t end = now_us() + timeout_ms * 1000ull;
	uint32_t st;

	while ((st = rd(c, status_reg)) == OIO_ENG_BUSY && now_us() < end)
		sleep_us(200);
	return st;
}

bool lasers_on(const struct oio_card *c, uint32_t mask)
{
	unsigned int l;

	wr(c, OIO_REG_ARM, OIO_ARM_KEY);
	for (l = 0; l < c->wavelengths; l++)
		wr(c, laser_reg(l, OIO_LASER_CTRL),
		   (mask >> l) & 1 ? OIO_LASER_ENABLE : 0);
	for (l = 0; l < c->wavelengths; l++)
		if (!wait_reg(c, laser_reg(l, OIO_LASER_STATUS),
			      OIO_LASER_ST_RAMPING, 0, 2000))
			return false;
	return true;
}

void sweep_setup(const struct oio_card *c, uint64_t addr, uint32_t len,
		 unsigned int first, unsigned int count, unsigned int start,
		 unsigned int stop, unsigned int step, unsigned int dwell_ns)
{
	wr(c, OIO_REG_SWEEP_ADDR_LO, (uint32_t)addr);
	wr(c, OIO_REG_SWEEP_ADDR_HI, (uint32_t)(addr >> 32));
	wr(c, OIO_REG_SWEEP_LEN, len);
	wr(c, OIO_REG_SWEEP_FIRST_RING, first);
	wr(c, OIO_REG_SWEEP_RING_COUNT, count);
	wr(c, OIO_REG_SWEEP_START, start);
	wr(c, OIO_REG_SWEEP_STOP, stop);
	wr(c, OIO_REG_SWEEP_STEP, step);
	wr(c, OIO_REG_SWEEP_DWELL_NS, dwell_ns);
}

uint32_t sweep_run(const struct oio_card *c, const struct dma_buf *b,
		   unsigned int first, unsigned int count, unsigned int start,
		   unsigned int stop, unsigned int step, unsigned int dwell_ns,
		   const uint32_t **trace, unsigned int *points)
{
	uint32_t st;

	sweep_setup(c, b->pa, (uint32_t)b->len, first, count, start, stop,
		    step, dwell_ns);
	wr(c, OIO_REG_SWEEP_CTRL, OIO_SWEEP_GO);
	st = wait_engine(c, OIO_REG_SWEEP_STATUS, 10000);
	if (trace)
		*trace = (const uint32_t *)((const uint8_t *)b->va +
					    OIO_SWEEP_HDR_SIZE);
	if (points)
		*points = step ? (stop - start) / step + 1 : 0;
	return st;
}

/*
 * Where the trace falls below level going from sample i by dir (+-1), in
 * samples, interpolated; -1 if it does not before the end.
 */
static double crossing(const uint32_t *trace, unsigned int points,
		       unsigned int i, int dir, double level)
{
	unsigned int j = i, p;

	while (trace[j] >= level) {
		if ((dir < 0 && j == 0) || (dir > 0 && j + 1 >= points))
			return -1;
		j += dir;
	}
	p = j - dir;	/* the last sample at or above level */
	return p + dir * (trace[p] - level) /
		   ((double)trace[p] - (double)trace[j]);
}

int find_peaks(const uint32_t *trace, unsigned int points, unsigned int start,
	       unsigned int step, double frac, uint32_t min_na,
	       struct peak *out, int max)
{
	uint32_t top = 0, thr;
	unsigned int i, gap = step < 16 ? 16 / step : 1;
	int n = 0;

	for (i = 0; i < points; i++)
		if (trace[i] > top)
			top = trace[i];
	thr = (uint32_t)(top * frac);
	if (thr < min_na)
		thr = min_na;
	/*
	 * Monitor noise (2 uA rms by default) puts many small local maxima on
	 * the top of a resonance, and on a flank near the threshold. So a
	 * resonance is a run of samples at or above the threshold, with dips
	 * under it of fewer than 16 codes, its peak the run's highest sample.
	 */
	for (i = 0; i < points && n < max; ) {
		unsigned int hi, last, j;
		double l, r;

		if (trace[i] < thr) {
			i++;
			continue;
		}
		hi = last = i;
		for (j = i; j < points && j <= last + gap; j++)
			if (trace[j] >= thr) {
				last = j;
				if (trace[j] > trace[hi])
					hi = j;
			}
		i = last + 1;
		/*
		 * The centre, in pm, is midway between the half-maximum
		 * crossings, where the flanks are steep and the noise moves
		 * them least. Heater shift goes with code squared (datasheet
		 * 7.5), so that midpoint is at the root mean square of the
		 * crossing codes. A resonance with a crossing outside the
		 * trace is only partly seen: it has no centre.
		 */
		l = crossing(trace, points, hi, -1, trace[hi] / 2.0);
		r = crossing(trace, points, hi, 1, trace[hi] / 2.0);
		if (l < 0 || r < 0)
			continue;
		l = start + l * step;
		r = start + r * step;
		out[n].code = sqrt((l * l + r * r) / 2);
		out[n].height = trace[hi];
		n++;
	}
	return n;
}

double code_to_pm(double code, double range_pm)
{
	return range_pm * (code / 4095.0) * (code / 4095.0);
}

double pm_to_code(double pm, double range_pm)
{
	return pm <= 0 ? 0 : 4095.0 * sqrt(pm / range_pm);
}

/* A sysfs-like file's first line, newline cut; 0 or -errno. */
int sys_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int sys_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

void oiot_drop_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	syscall(SYS_capget, &h, d);
	d[cap / 32].effective &= ~(1u << (cap % 32));
	syscall(SYS_capset, &h, d);
}
