/* redact.c - hide key-like text in messages that echo user input. */
#include "redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"

#define HEX_RUN_MIN      32   /* a Novu secret key */
#define SK_TAIL_MIN      8    /* "sk_" + at least this much */
#define RANDOM_TOKEN_MIN 24   /* mixed-case-and-digits tokens this long */
#define KNOWN_KEY_MIN    8    /* shorter configured keys would hide words */

static int
is_token_char(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '-';
}

static size_t
longest_hex_run(const char *s, size_t len)
{
	size_t i, run = 0, best = 0;

	for (i = 0; i < len; i++) {
		run = isxdigit((unsigned char)s[i]) ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static int
mixes_cases_and_digits(const char *s, size_t len)
{
	int lower = 0, upper = 0, digit = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		lower |= islower((unsigned char)s[i]) != 0;
		upper |= isupper((unsigned char)s[i]) != 0;
		digit |= isdigit((unsigned char)s[i]) != 0;
	}
	return lower && upper && digit;
}

int
redact_token_is_secret(const char *s, size_t len)
{
	if (longest_hex_run(s, len) >= HEX_RUN_MIN)
		return 1;
	if (len >= 3 + SK_TAIL_MIN && (strncmp(s, "sk_", 3) == 0 || strncmp(s, "sk-", 3) == 0))
		return 1;
	return len >= RANDOM_TOKEN_MIN && mixes_cases_and_digits(s, len);
}

/* Length of the next piece of text: a whole token, or one other byte. */
static size_t
next_piece(const char *s)
{
	size_t n = 0;

	if (!is_token_char((unsigned char)*s))
		return 1;
	while (s[n] && is_token_char((unsigned char)s[n]))
		n++;
	return n;
}

/* text with every known_key replaced by the mask. */
static int
hide_known_key(const char *text, const char *known_key, struct textbuf *out)
{
	size_t klen = known_key ? strlen(known_key) : 0;
	const char *hit;

	if (klen < KNOWN_KEY_MIN)
		return textbuf_puts(out, text);
	while ((hit = strstr(text, known_key)) != NULL) {
		if (textbuf_append(out, text, (size_t)(hit - text)) ||
		    textbuf_puts(out, REDACT_MASK))
			return -1;
		text = hit + klen;
	}
	return textbuf_puts(out, text);
}

static int
hide_secret_tokens(const char *text, struct textbuf *out)
{
	while (*text) {
		size_t n = next_piece(text);
		int hide = n > 1 && redact_token_is_secret(text, n);

		if (hide ? textbuf_puts(out, REDACT_MASK) : textbuf_append(out, text, n))
			return -1;
		text += n;
	}
	return textbuf_append(out, "", 0);
}

char *
redact_secrets(const char *text, const char *known_key)
{
	struct textbuf known = TEXTBUF_INIT(0), out = TEXTBUF_INIT(0);
	int rc;

	if (!text)
		return NULL;
	rc = hide_known_key(text, known_key, &known) ||
	     hide_secret_tokens(known.data ? known.data : "", &out);
	textbuf_free(&known);
	if (rc) {
		textbuf_free(&out);
		return NULL;
	}
	return textbuf_steal(&out);
}

/* The fallback that needs no memory: stars over what would be hidden. */
static void
star_in_place(char *text, const char *known_key)
{
	size_t klen = known_key ? strlen(known_key) : 0;
	char *s, *hit;

	if (klen >= KNOWN_KEY_MIN)
		for (s = text; (hit = strstr(s, known_key)) != NULL; s = hit + klen)
			memset(hit, '*', klen);
	s = text;
	while (*s) {
		size_t n = next_piece(s);

		if (n > 1 && redact_token_is_secret(s, n))
			memset(s, '*', n);
		s += n;
	}
}

static void
redact_string(char **text, const char *known_key)
{
	char *clean;

	if (!*text)
		return;
	clean = redact_secrets(*text, known_key);
	if (!clean) {
		star_in_place(*text, known_key);
		return;
	}
	free(*text);
	*text = clean;
}

void
redact_error(struct nc_error *err, const char *known_key)
{
	size_t i;

	if (!err)
		return;
	redact_string(&err->message, known_key);
	for (i = 0; i < err->nfields; i++) {
		redact_string(&err->fields[i].message, known_key);
		redact_string(&err->fields[i].value, known_key);
	}
}
