// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of oioctl's Prometheus writer (tools/prometheus.c), with
 * Check: exact values in base units, labels and their escaping, every
 * family's lines together, a failed card, and the atomic replacement of
 * the file. The Debian guest's deb-tools suite parses a real card's file
 * with the Prometheus client library.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prometheus.h"

static struct oio_card_info info[2];
static struct oio_telemetry tele;
static char *text;

static void setup(void)
{
	size_t len, i;
	struct prom_card cards[2];
	FILE *f;

	memset(info, 0, sizeof(info));
	memset(&tele, 0, sizeof(tele));
	info[0].id = 0;
	info[0].serial = 10000001;
	info[0].board_rev = 2;
	strcpy(info[0].fw_version, "1.4.2");
	strcpy(info[0].pci_address, "0000:01:00.0");
	info[0].armed = true;
	info[1] = info[0];
	info[1].id = 1;
	info[1].serial = 10000002;
	/* a label value that needs escaping */
	strcpy(info[1].fw_version, "2.0\"x\\y\nz");

	tele.card_id = 0;
	tele.temp_mc = -5250;
	tele.alarms = 0x4;
	tele.n_lasers = 2;
	tele.laser[0].line = 0;
	tele.laser[0].enable = true;
	tele.laser[0].status = OIO_LASER_EMITTING;
	tele.laser[0].bias_ua = 80000;
	tele.laser[0].power_uw = 2186;
	tele.laser[0].temp_mc = 25001;
	tele.laser[1].line = 1;
	tele.laser[1].status = OIO_LASER_FAILED;
	tele.n_lanes = 2;
	for (i = 0; i < 2; i++) {
		tele.lane[i].lane = i;
		tele.lane[i].port = 0;
	}
	tele.lane[1].state = OIO_LANE_STATE_ACTIVATED;
	tele.lane[1].prbs_bits = 32281421632ULL;
	tele.lane[1].prbs_errors = 3;
	tele.n_rings = 4;
	for (i = 0; i < 4; i++)
		tele.ring[i].ring = i;
	/*
	 * Headroom of port 0, lane 1 up (rings 2, 3) with 9000 pm and
	 * 50 pm/K: code 2730 (2/3, 4000 pm) leaves 80 K to warm and 100 K
	 * to cool, 1365 (1/3, 1000 pm) 20 K and 160 K. Lane 0 is down: its
	 * ring at code 0 does not count. Port 1 has no lane up.
	 */
	info[0].ports = 2;
	info[0].heater_range_pm = 9000;
	info[0].drift_pm_per_k = 50;
	tele.ring[2].heater = 2730;
	tele.ring[3].heater = 1365;
	tele.ring[0].lock_state = OIO_LOCK_STATE_LOCKED;
	tele.ring[1].lock_state = OIO_LOCK_STATE_LOST;
	tele.ring[2].at_limit = true;

	cards[0] = (struct prom_card){ .info = &info[0], .t = &tele };
	cards[1] = (struct prom_card){ .info = &info[1], .t = NULL };
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	prom_format(f, cards, 2);
	ck_assert_int_eq(fclose(f), 0);
}

static void teardown(void)
{
	free(text);
	text = NULL;
}

static void has_line(const char *line)
{
	char *want;
	size_t len = strlen(line);
	const char *p = text;

	ck_assert_int_ge(asprintf(&want, "%s\n", line), 0);
	for (; (p = strstr(p, want)); p += len)
		if (p == text || p[-1] == '\n')
			break;
	ck_assert_msg(p, "missing line: %s\n--- in:\n%s", line, text);
	free(want);
}

START_TEST(test_values_in_base_units)
{
	has_line("oio_card_temperature_celsius{card=\"oio0\",serial=\"10000001\"} -5.250");
	has_line("oio_card_alarm_flags{card=\"oio0\",serial=\"10000001\"} 4");
	has_line("oio_card_armed{card=\"oio0\",serial=\"10000001\"} 1");
	has_line("oio_laser_bias_amperes{card=\"oio0\",serial=\"10000001\",line=\"0\"} 0.080000");
	has_line("oio_laser_power_watts{card=\"oio0\",serial=\"10000001\",line=\"0\"} 0.002186");
	has_line("oio_laser_temperature_celsius{card=\"oio0\",serial=\"10000001\",line=\"0\"} 25.001");
	has_line("oio_laser_emitting{card=\"oio0\",serial=\"10000001\",line=\"0\"} 1");
	has_line("oio_laser_failed{card=\"oio0\",serial=\"10000001\",line=\"1\"} 1");
	has_line("oio_lane_up{card=\"oio0\",serial=\"10000001\",lane=\"1\",port=\"0\"} 1");
	has_line("oio_lane_prbs_bits_total{card=\"oio0\",serial=\"10000001\",lane=\"1\",port=\"0\"} 32281421632");
	has_line("oio_lane_prbs_errors_total{card=\"oio0\",serial=\"10000001\",lane=\"1\",port=\"0\"} 3");
	has_line("oio_lanes_up{card=\"oio0\",serial=\"10000001\"} 1");
	has_line("oio_rings_locked{card=\"oio0\",serial=\"10000001\"} 1");
	has_line("oio_rings_lost{card=\"oio0\",serial=\"10000001\"} 1");
	has_line("oio_rings_at_limit{card=\"oio0\",serial=\"10000001\"} 1");
}
END_TEST

START_TEST(test_headroom)
{
	has_line("# TYPE oio_port_heater_headroom_kelvin gauge");
	has_line("oio_port_heater_headroom_kelvin{card=\"oio0\",serial=\"10000001\",port=\"0\",direction=\"warm\"} 20.000");
	has_line("oio_port_heater_headroom_kelvin{card=\"oio0\",serial=\"10000001\",port=\"0\",direction=\"cool\"} 100.000");
	/* no lane up on port 1, no snapshot of card 1: no sample */
	ck_assert_ptr_null(strstr(text, "port=\"1\",direction="));
	ck_assert_ptr_null(strstr(text,
		"oio_port_heater_headroom_kelvin{card=\"oio1\""));
}
END_TEST

START_TEST(test_failed_card_and_info)
{
	has_line("oio_telemetry_success{card=\"oio0\",serial=\"10000001\"} 1");
	has_line("oio_telemetry_success{card=\"oio1\",serial=\"10000002\"} 0");
	has_line("oio_card_info{card=\"oio0\",serial=\"10000001\",firmware=\"1.4.2\",board_rev=\"2\",pci_address=\"0000:01:00.0\"} 1");
	/* escaped: backslash, quote and newline */
	has_line("oio_card_info{card=\"oio1\",serial=\"10000002\",firmware=\"2.0\\\"x\\\\y\\nz\",board_rev=\"2\",pci_address=\"0000:01:00.0\"} 1");
	/* the failed card has no series but those two */
	ck_assert_ptr_null(strstr(text, "oio_card_temperature_celsius{card=\"oio1\""));
	ck_assert_ptr_null(strstr(text, "oio_lane_up{card=\"oio1\""));
}
END_TEST

/* Each family: one HELP, one TYPE, then only its own series. */
START_TEST(test_families_grouped)
{
	char *copy = strdup(text), *save = NULL, *line;
	char fam[128] = "", seen[4096] = " ";
	int helps = 0;

	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[128], key[132];

		if (!strncmp(line, "# HELP ", 7)) {
			ck_assert_int_eq(sscanf(line + 7, "%127s", name), 1);
			snprintf(key, sizeof(key), " %s ", name);
			ck_assert_msg(!strstr(seen, key), "%s twice", name);
			strncat(seen, name, sizeof(seen) - strlen(seen) - 2);
			strcat(seen, " ");
			strcpy(fam, name);
			helps++;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			ck_assert_int_eq(sscanf(line + 7, "%127s", name), 1);
			ck_assert_str_eq(name, fam);
			ck_assert(strstr(line, " gauge") || strstr(line, " counter"));
			continue;
		}
		ck_assert_int_eq(sscanf(line, "%127[^{ ]", name), 1);
		ck_assert_str_eq(name, fam);
	}
	ck_assert_int_eq(helps, 23);
	free(copy);
}
END_TEST

START_TEST(test_path)
{
	ck_assert(prom_path_ok("oio.prom"));
	ck_assert(prom_path_ok("/var/lib/prometheus/node-exporter/oio.prom"));
	ck_assert(!prom_path_ok(".prom"));
	ck_assert(!prom_path_ok("/tmp/.prom"));
	ck_assert(!prom_path_ok("/tmp/oio.txt"));
	ck_assert(!prom_path_ok("oio.prom.tmp"));
}
END_TEST

static int entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") &&
					      strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

START_TEST(test_atomic_write)
{
	char dir[] = "/tmp/oio-prom-XXXXXX", path[64], bad[96], buf[64];
	struct stat st;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/oio.prom", dir);
	ck_assert_int_eq(prom_write_file(path, "a 1\n", 4), 0);
	ck_assert_int_eq(prom_write_file(path, "b 2\n", 4), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "b 2\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	/* only the file: no temporary left */
	ck_assert_int_eq(entries(dir), 1);

	/* a directory that does not exist: an errno, nothing written */
	snprintf(bad, sizeof(bad), "%s/none/oio.prom", dir);
	ck_assert_int_eq(prom_write_file(bad, "c 3\n", 4), -ENOENT);
	/* the target is a directory: rename fails, the temporary goes */
	snprintf(bad, sizeof(bad), "%s/sub.prom", dir);
	ck_assert_int_eq(mkdir(bad, 0755), 0);
	ck_assert_int_eq(prom_write_file(bad, "c 3\n", 4), -EISDIR);
	ck_assert_int_eq(entries(dir), 2);
	ck_assert_int_eq(rmdir(bad), 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("prometheus");
	TCase *tc = tcase_create("format");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_values_in_base_units);
	tcase_add_test(tc, test_failed_card_and_info);
	tcase_add_test(tc, test_headroom);
	tcase_add_test(tc, test_families_grouped);
	suite_add_tcase(s, tc);
	tc = tcase_create("file");
	tcase_add_test(tc, test_path);
	tcase_add_test(tc, test_atomic_write);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
