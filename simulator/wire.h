/*
 * wire: the fake router's own RouterOS API word/sentence codec. Pure: no
 * I/O, no clock, no globals. Written independently of routeros-api/ on
 * purpose, so a misunderstanding of the format cannot hide in both.
 */
#ifndef FR_WIRE_H
#define FR_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer; bytes data[off..len) are the live content. */
struct wbuf {
	unsigned char *data;
	size_t off, len, cap;
};

/* Status codes of the parser (negative = protocol error, connection dies). */
enum wire_status {
	WIRE_MORE = 0,                /* all input used, no sentence complete */
	WIRE_SENTENCE = 1,            /* a sentence is complete: read its words */
	WIRE_E_CONTROL = -1,          /* length prefix starts with F1..FF */
	WIRE_E_WORD_TOO_BIG = -2,     /* word above the parser's word cap */
	WIRE_E_SENTENCE_TOO_BIG = -3, /* too many bytes or words in a sentence */
	WIRE_E_NOMEM = -4
};

/* One word of a parsed sentence: n bytes at p, followed by a NUL that is not
 * part of the word (so words without inner NULs are also C strings). */
struct wire_word {
	const char *p;
	size_t n;
};

/* Incremental sentence parser: feed it arbitrary fragments. */
struct wire_parser {
	size_t max_word, max_sentence, max_words;
	unsigned char pfx[5];
	size_t pfx_have, pfx_need;
	size_t body_left; /* bytes still expected for the current word */
	int in_body;
	int ready; /* last feed returned a sentence; cleared on next feed */
	char *buf; /* words of the current sentence, NUL after each */
	size_t len, cap;
	size_t *ends; /* offset just past each word's NUL */
	size_t nwords, capwords;
};

/* Empties b without freeing (content gone, capacity kept). */
void wbuf_init(struct wbuf *b);

/* Frees the storage; b is then empty and reusable. NULL-safe. */
void wbuf_free(struct wbuf *b);

/* Number of live bytes. */
size_t wbuf_size(const struct wbuf *b);

/* Appends n bytes; 0 or -1 when out of memory (b unchanged). */
int wbuf_append(struct wbuf *b, const void *p, size_t n);

/* Drops n live bytes from the front (n <= wbuf_size). Storage is compacted
 * lazily, and released entirely when the buffer empties and is large. */
void wbuf_consume(struct wbuf *b, size_t n);

/* Encodes a word length as the API's 1..5 byte big-endian prefix into out;
 * returns the number of bytes written. */
size_t wire_len_encode(uint32_t len, unsigned char out[5]);

/* Number of prefix bytes announced by the first prefix byte, or 0 for the
 * reserved control bytes F1..FF. */
size_t wire_len_size(unsigned char first);

/* Decodes a complete prefix of wire_len_size(p[0]) bytes. */
uint32_t wire_len_decode(const unsigned char *p, size_t n);

/* Appends one word (prefix + bytes). 0 or -1 when out of memory. */
int wire_put_word(struct wbuf *b, const void *w, size_t n);

/* Appends a NUL-terminated word. */
int wire_put_str(struct wbuf *b, const char *s);

/* Appends the attribute word "=key=value" (value: vlen raw bytes). */
int wire_put_attr(struct wbuf *b, const char *key, const void *val, size_t vlen);

/* Appends the attribute word "=key=value" with a C-string value. */
int wire_put_attr_str(struct wbuf *b, const char *key, const char *val);

/* Appends the zero-length word that ends a sentence. */
int wire_put_end(struct wbuf *b);

/* Prepares a parser with hard caps: a word above max_word bytes, or a
 * sentence above max_sentence bytes or max_words words, is an error that is
 * detected before any storage is reserved for it. */
void wire_parser_init(struct wire_parser *p, size_t max_word, size_t max_sentence,
                      size_t max_words);

/* Frees the parser's storage. NULL-safe. */
void wire_parser_free(struct wire_parser *p);

/* Feeds n bytes. Sets *used to the bytes consumed; returns WIRE_SENTENCE as
 * soon as a sentence completes (feed the rest, buf + *used, afterwards),
 * WIRE_MORE when everything was consumed, or a negative wire_status. Empty
 * sentences are skipped. The words of a returned sentence stay valid until
 * the next call. After an error the parser must not be fed again. */
int wire_parser_feed(struct wire_parser *p, const unsigned char *buf, size_t n, size_t *used);

/* Number of words in the sentence just returned. */
size_t wire_parser_nwords(const struct wire_parser *p);

/* Word i (< nwords) of the sentence just returned. */
struct wire_word wire_parser_word(const struct wire_parser *p, size_t i);

/* A static description of a wire_status. */
const char *wire_strerror(int status);

#endif
