// SPDX-License-Identifier: GPL-2.0-only
/*
 * json-check: the guest's stand-in for jq in the shell tests.
 *
 *   json-check [-l] [-c] [PATH]
 *
 * Reads JSON from stdin and exits 0 if it is one valid JSON value (with
 * -l: every non-empty line is one, JSON Lines; PATH then applies to the
 * last line). With -c, each value is printed on one line, compact (what
 * the tests hand to the host's schema check, "# json-out" lines). PATH
 * is a dotted path of object keys and array indices, such as cards.0.id
 * or links.1.report.lanes_up; with it, the value there is printed:
 * strings bare, null as "null", arrays and objects as compact JSON, and
 * ".length" as the last component prints an array's length (or an
 * object's number of keys). Exit status: 0 valid (and PATH found),
 * 1 invalid JSON, 2 PATH not found, 3 usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0, r;
	char *buf = malloc(cap + 1), *nb;

	if (!buf)
		return NULL;
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* One complete JSON value spanning the whole of s (blanks around it). */
static struct json_object *parse_one(const char *s, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *obj;
	size_t used;

	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, s, (int)len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
		/* an incomplete value, or a bare number waiting for more */
		if (!obj && json_tokener_get_error(tok) == json_tokener_continue)
			obj = json_tokener_parse_ex(tok, "", 1);
		if (!obj) {
			json_tokener_free(tok);
			return NULL;
		}
	}
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	/* nothing but blanks may follow */
	for (; used < len; used++)
		if (!strchr(" \t\r\n", s[used]) && s[used] != '\0') {
			json_object_put(obj);
			return NULL;
		}
	return obj;
}

static int is_index(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Follow PATH from obj; 0 and *out on success, -1 when not there. */
static int walk(struct json_object *obj, const char *path,
		struct json_object **out, int *length)
{
	char comp[256];
	const char *p = path, *dot;
	size_t n;

	*length = 0;
	while (*p) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(comp))
			return -1;
		memcpy(comp, p, n);
		comp[n] = '\0';
		p = dot ? dot + 1 : p + n;
		if (!n)
			continue;
		if (!strcmp(comp, "length") && !dot) {
			if (!json_object_is_type(obj, json_type_array) &&
			    !json_object_is_type(obj, json_type_object))
				return -1;
			*length = 1;
			break;
		}
		if (json_object_is_type(obj, json_type_array)) {
			size_t i;

			if (!is_index(comp))
				return -1;
			i = strtoul(comp, NULL, 10);
			if (i >= json_object_array_length(obj))
				return -1;
			obj = json_object_array_get_idx(obj, i);
		} else if (json_object_is_type(obj, json_type_object)) {
			if (!json_object_object_get_ex(obj, comp, &obj))
				return -1;
		} else {
			return -1;
		}
	}
	*out = obj;
	return 0;
}

static void print_value(struct json_object *v, int length)
{
	if (length) {
		if (json_object_is_type(v, json_type_array))
			printf("%zu\n", json_object_array_length(v));
		else
			printf("%d\n", json_object_object_length(v));
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_null:
		puts("null");
		break;
	case json_type_string:
		puts(json_object_get_string(v));
		break;
	default:
		puts(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		break;
	}
}

static void print_compact(struct json_object *v)
{
	puts(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
}

int main(int argc, char **argv)
{
	struct json_object *obj = NULL, *v;
	char *buf, *path = NULL, *line, *end;
	int lines = 0, compact = 0, length, i, nvalues = 0;
	size_t len;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l"))
			lines = 1;
		else if (!strcmp(argv[i], "-c"))
			compact = 1;
		else if (!path)
			path = argv[i];
		else {
			fprintf(stderr, "usage: json-check [-l] [-c] [PATH]\n");
			return 3;
		}
	}
	buf = read_all(stdin, &len);
	if (!buf) {
		fprintf(stderr, "json-check: read stdin: %s\n",
			strerror(errno));
		return 3;
	}
	if (!lines) {
		obj = parse_one(buf, len);
		if (!obj) {
			fprintf(stderr, "json-check: invalid JSON\n");
			return 1;
		}
		if (compact)
			print_compact(obj);
	} else {
		for (line = buf; *line; line = end) {
			end = strchr(line, '\n');
			if (end)
				*end++ = '\0';
			else
				end = line + strlen(line);
			if (!line[strspn(line, " \t\r")])
				continue;
			json_object_put(obj);
			obj = parse_one(line, strlen(line));
			if (!obj) {
				fprintf(stderr, "json-check: line %d: invalid JSON\n",
					nvalues + 1);
				return 1;
			}
			nvalues++;
			if (compact)
				print_compact(obj);
		}
		if (!nvalues) {
			fprintf(stderr, "json-check: no JSON lines\n");
			return 1;
		}
	}
	if (path) {
		if (walk(obj, path, &v, &length)) {
			fprintf(stderr, "json-check: no %s\n", path);
			json_object_put(obj);
			return 2;
		}
		print_value(v, length);
	}
	json_object_put(obj);
	free(buf);
	return 0;
}
