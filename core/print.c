/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * print.c - one printer for text and JSON, after iproute2's print_* helpers.
 *
 * Every call names both a JSON key and a text format, so the two outputs
 * are produced by the same code path and cannot drift apart.  The JSON side
 * keeps a stack of open containers so it can place commas, indent and
 * refuse anything that would make the document invalid: a misuse is
 * recorded and reported by odm_printer_free() instead of being written.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* odm's deepest output is three levels; this leaves plenty of room. */
#define MAX_DEPTH	32

struct frame {
	bool array;
	bool first;	/* nothing written inside yet: no comma, and {} / [] when closed */
};

struct odm_printer {
	FILE *f;
	bool json;
	bool pretty;
	bool done;		/* the top-level JSON value is complete */
	int err;		/* first misuse, reported by odm_printer_free() */
	unsigned int depth;
	unsigned int dropped;	/* containers opened while refusing output */
	struct frame stack[MAX_DEPTH];
};

struct odm_printer *odm_printer_new(FILE *f, bool json, bool pretty)
{
	struct odm_printer *p;

	if (!f) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->f = f;
	p->json = json;
	p->pretty = json && pretty;
	return p;
}

bool odm_printer_is_json(const struct odm_printer *p)
{
	return p && p->json;
}

static void set_err(struct odm_printer *p, int err)
{
	if (!p->err)
		p->err = err;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * Interface names and cgroup paths are arbitrary bytes, but JSON text must
 * be UTF-8: bytes that are not valid UTF-8 become U+FFFD.
 */
static void json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	putc('"', f);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			putc('\\', f);
			putc(*s++, f);
		} else if (*s < 0x20) {
			fprintf(f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			putc(*s++, f);
		} else if ((n = utf8_len(s)) != 0) {
			fwrite(s, 1, n, f);
			s += n;
		} else {
			fputs("\\ufffd", f);
			s++;
		}
	}
	putc('"', f);
}

static void indent(struct odm_printer *p)
{
	unsigned int i;

	putc('\n', p->f);
	for (i = 0; i < p->depth; i++)
		fputs("  ", p->f);
}

/*
 * Write what goes before a value: comma, newline and indent, key.  Returns
 * false (and writes nothing) when the value must be dropped to keep the
 * output valid.
 */
static bool begin_value(struct odm_printer *p, const char *key)
{
	struct frame *fr;

	if (p->dropped)
		return false;
	if (p->depth == 0) {
		/* A second top-level value would not be one JSON document. */
		if (p->done) {
			set_err(p, -EINVAL);
			return false;
		}
		return true;
	}
	fr = &p->stack[p->depth - 1];
	if (!fr->array && !key) {
		set_err(p, -EINVAL);
		return false;
	}
	if (!fr->first)
		putc(',', p->f);
	fr->first = false;
	if (p->pretty)
		indent(p);
	/* Keys of members in an array have nowhere to go. */
	if (!fr->array) {
		json_string(p->f, key);
		putc(':', p->f);
		if (p->pretty)
			putc(' ', p->f);
	}
	return true;
}

static void end_value(struct odm_printer *p)
{
	if (p->depth == 0) {
		p->done = true;
		putc('\n', p->f);
	}
}

static void open_container(struct odm_printer *p, const char *key, bool array)
{
	if (!p->json)
		return;
	if (!p->dropped && p->depth == MAX_DEPTH)
		set_err(p, -E2BIG);
	if (p->dropped || p->depth == MAX_DEPTH || !begin_value(p, key)) {
		p->dropped++;
		return;
	}
	putc(array ? '[' : '{', p->f);
	p->stack[p->depth].array = array;
	p->stack[p->depth].first = true;
	p->depth++;
}

static void close_container(struct odm_printer *p, bool array)
{
	struct frame fr;

	if (!p->json)
		return;
	if (p->dropped) {
		p->dropped--;
		return;
	}
	if (p->depth == 0) {
		set_err(p, -EINVAL);
		return;
	}
	fr = p->stack[--p->depth];
	/* Still close what is open, so the document stays valid. */
	if (fr.array != array)
		set_err(p, -EINVAL);
	if (p->pretty && !fr.first)
		indent(p);
	putc(fr.array ? ']' : '}', p->f);
	end_value(p);
}

void odm_print_open_object(struct odm_printer *p, const char *key)
{
	open_container(p, key, false);
}

void odm_print_close_object(struct odm_printer *p)
{
	close_container(p, false);
}

void odm_print_open_array(struct odm_printer *p, const char *key)
{
	open_container(p, key, true);
}

void odm_print_close_array(struct odm_printer *p)
{
	close_container(p, true);
}

/*
 * Text output passes the caller's format to fprintf, as iproute2 does;
 * the format is a literal at every call site but cannot be checked here,
 * so -Wformat-nonliteral is silenced for exactly these calls.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void text_str(FILE *f, const char *fmt, const char *val)
{
	fprintf(f, fmt, val);
}

static void text_u64(FILE *f, const char *fmt, unsigned long long val)
{
	fprintf(f, fmt, val);
}

static void text_s64(FILE *f, const char *fmt, long long val)
{
	fprintf(f, fmt, val);
}

static void text_double(FILE *f, const char *fmt, double val)
{
	fprintf(f, fmt, val);
}
#pragma GCC diagnostic pop

void odm_print_string(struct odm_printer *p, const char *key, const char *fmt, const char *val)
{
	if (!p->json) {
		if (fmt)
			text_str(p->f, fmt, val ? val : "(null)");
		return;
	}
	if (!begin_value(p, key))
		return;
	if (val)
		json_string(p->f, val);
	else
		fputs("null", p->f);
	end_value(p);
}

void odm_print_u64(struct odm_printer *p, const char *key, const char *fmt, unsigned long long val)
{
	if (!p->json) {
		if (fmt)
			text_u64(p->f, fmt, val);
		return;
	}
	if (!begin_value(p, key))
		return;
	fprintf(p->f, "%llu", val);
	end_value(p);
}

void odm_print_s64(struct odm_printer *p, const char *key, const char *fmt, long long val)
{
	if (!p->json) {
		if (fmt)
			text_s64(p->f, fmt, val);
		return;
	}
	if (!begin_value(p, key))
		return;
	fprintf(p->f, "%lld", val);
	end_value(p);
}

/*
 * A measurement.  JSON has no NaN or infinity: those are written null.
 * Enough digits (%.10g) that a ratio or a time in ns reads back as measured.
 */
void odm_print_double(struct odm_printer *p, const char *key, const char *fmt, double val)
{
	if (!p->json) {
		if (fmt)
			text_double(p->f, fmt, val);
		return;
	}
	if (!begin_value(p, key))
		return;
	if (isfinite(val))
		fprintf(p->f, "%.10g", val);
	else
		fputs("null", p->f);
	end_value(p);
}

/* In text mode fmt gets "true" or "false" for a %s, as in iproute2. */
void odm_print_bool(struct odm_printer *p, const char *key, const char *fmt, bool val)
{
	if (!p->json) {
		if (fmt)
			text_str(p->f, fmt, val ? "true" : "false");
		return;
	}
	if (!begin_value(p, key))
		return;
	fputs(val ? "true" : "false", p->f);
	end_value(p);
}

/* In text mode fmt gets "-" for a %s, so tables keep their columns. */
void odm_print_null(struct odm_printer *p, const char *key, const char *fmt)
{
	if (!p->json) {
		if (fmt)
			text_str(p->f, fmt, "-");
		return;
	}
	if (!begin_value(p, key))
		return;
	fputs("null", p->f);
	end_value(p);
}

void odm_print_text(struct odm_printer *p, const char *text)
{
	if (!p->json && text)
		fputs(text, p->f);
}

int odm_printer_free(struct odm_printer *p)
{
	int ret;

	if (!p)
		return 0;
	if (p->json && (p->depth || p->dropped)) {
		set_err(p, -EINVAL);
		/* Close what was left open: report the bug, but stay valid JSON. */
		p->dropped = 0;
		while (p->depth)
			close_container(p, p->stack[p->depth - 1].array);
	}
	ret = p->err;
	if (fflush(p->f) || ferror(p->f)) {
		if (!ret)
			ret = -EIO;
	}
	free(p);
	return ret;
}
