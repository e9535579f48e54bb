/*
 * format_html.h - the escaping helpers of the "html" format (format_html.c),
 * exposed for the unit tests.
 *
 * Everything on the page that comes from a traced program (URLs, host
 * names, header values, reason phrases) is hostile input.  It reaches the
 * page by two paths only, each with its own escaping:
 *
 *  - text in the HTML markup (the summary's host table) goes through
 *    html_text(), which leaves no byte that the HTML parser could read as
 *    markup or as a character reference;
 *  - the records go into a <script type="application/json"> block, written
 *    with the JSON helpers (json.h) and copied through html_script_json(),
 *    which rewrites '<', '>' and '&' as \u003c, \u003e, \u0026 so neither
 *    "</script" nor "<!--" can appear inside the block.  The page's script
 *    then puts the values into the DOM only as text (textContent and
 *    attribute values), never as markup.
 */
#ifndef HT_FORMAT_HTML_H
#define HT_FORMAT_HTML_H

#include <stddef.h>
#include <stdio.h>

/*
 * html_text() - write @n bytes of @s to @f as HTML text that is also safe in
 * a quoted attribute value: & < > " ' become character references,
 * well-formed UTF-8 passes through, and C0/C1 controls, DEL and bytes that
 * are not well-formed UTF-8 are shown as the four characters \xHH.
 */
void html_text(FILE *f, const char *s, size_t n);

/*
 * html_script_json() - copy the JSON text @s (@n bytes) to @f for the inside
 * of a <script type="application/json"> element: '<', '>' and '&' (which
 * valid JSON has only inside strings) become \u003c, \u003e, \u0026, so the
 * JSON value is unchanged and the element cannot be closed early.
 */
void html_script_json(FILE *f, const char *s, size_t n);

#endif
